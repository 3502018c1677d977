set terminal pngcairo size 900,480 font ",10"
set output "bench/results/20261203-083553/routes_cdf.png"
set grid ytics
set key top left box opaque
set termoption noenhanced
set title "Per-query route time, cumulative (same pairs)"
set xlabel "ms per query (log scale)"
set ylabel "fraction of queries"
set logscale x
set key bottom right
plot "bench/results/20261203-083553/routes_cdf.dat" using 2:1 with lines lw 2 title 'twinlane ChSearch (contraction hierarchy), distance only', "bench/results/20261203-083553/routes_cdf.dat" using 3:1 with lines lw 2 title 'twinlane ChSearch, with the unpacked node path', "bench/results/20261203-083553/routes_cdf.dat" using 4:1 with lines lw 2 title 'twinlane PathSearch (bidirectional A*)', "bench/results/20261203-083553/routes_cdf.dat" using 5:1 with lines lw 2 title 'plain Dijkstra, early exit', "bench/results/20261203-083553/routes_cdf.dat" using 6:1 with lines lw 2 title 'Boost.Graph dijkstra_shortest_paths, early exit'
