set terminal pngcairo size 900,480 font ",10"
set output "bench/results/20261203-083553/sweep_startup.png"
set grid ytics
set key top left box opaque
set title "Start-up to every worker ready, by graph size (lower is better)"
set logscale xy
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set xlabel "nodes (log scale)"
set ylabel "ms (log scale)"
plot "bench/results/20261203-083553/sweep_startup.dat" using 1:2 with linespoints lw 2 title 'from the snapshot', "bench/results/20261203-083553/sweep_startup.dat" using 1:3 with linespoints lw 2 title 'from DIMACS text', "bench/results/20261203-083553/sweep_startup.dat" using 1:4 with linespoints dt 2 title 'snapshot: master load', 1000 with lines dt 2 lw 2 lc rgb "red" title 'target (snapshot)'
