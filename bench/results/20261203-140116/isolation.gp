set terminal pngcairo size 900,480 font ",10"
set output "bench/results/20261203-140116/isolation.png"
set grid ytics
set key top left box opaque
set title "Fast-lane p99 with the slow lane idle and saturated (lower is better)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel "p99 ms (log scale)"
set xtics font ",7"
set key top right
plot "bench/results/20261203-140116/isolation.dat" using 2:xtic(1) title 'slow lane idle', "bench/results/20261203-140116/isolation.dat" using 3:xtic(1) title 'slow lane saturated'
