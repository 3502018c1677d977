set terminal pngcairo size 900,480 font ",10"
set output "/work/main/bench/results/20261122-033844/routes_cdf.png"
set grid ytics
set key top left box opaque
set title "Per-query route time, cumulative (same pairs)"
set xlabel "ms per query (log scale)"
set ylabel "fraction of queries"
set logscale x
set key bottom right
plot "/work/main/bench/results/20261122-033844/routes_cdf.dat" using 2:1 with lines lw 2 title 'twinlane PathSearch', "/work/main/bench/results/20261122-033844/routes_cdf.dat" using 3:1 with lines lw 2 title 'plain Dijkstra', "/work/main/bench/results/20261122-033844/routes_cdf.dat" using 4:1 with lines lw 2 title 'Boost.Graph Dijkstra'
