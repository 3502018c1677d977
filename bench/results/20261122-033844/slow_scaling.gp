set terminal pngcairo size 900,480 font ",10"
set output "/work/main/bench/results/20261122-033844/slow_scaling.png"
set grid ytics
set key top left box opaque
set title "Slow-lane throughput relative to 1 worker (this machine has 2 CPUs)"
set xlabel "slow workers"
set ylabel "throughput / throughput with 1 worker"
set xtics (1, 2, 4)
set yrange [0:*]
plot "/work/main/bench/results/20261122-033844/slow_scaling.dat" using 1:2 with linespoints lw 2 title columnheader(2), "/work/main/bench/results/20261122-033844/slow_scaling.dat" using 1:3 with linespoints lw 2 title columnheader(3), x with lines dt 2 lc rgb "gray" title "linear"
