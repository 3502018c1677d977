set terminal pngcairo size 900,480 font ",10"
set output "bench/results/20261203-140116/fast_rps.png"
set grid ytics
set key top left box opaque
set title "Fast lane: requests/s through nginx (higher is better)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel "requests/s (log scale)"
set xtics font ",8"
plot "bench/results/20261203-140116/fast_rps.dat" using 2:xtic(1) title '1 connection', "bench/results/20261203-140116/fast_rps.dat" using 4:xtic(1) title '32 connections', "bench/results/20261203-140116/fast_rps.dat" using 6:xtic(1) title '256 connections'
