set terminal pngcairo size 900,480 font ",10"
set output "bench/results/20261203-083553/memory.png"
set grid ytics
set key top left box opaque
set title "Total PSS by process role (MiB); dashed: the graph's arrays"
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.6
set ylabel "MiB"
set yrange [0:*]
set xtics font ",8"
plot "bench/results/20261203-083553/memory.dat" using 2:xtic(1) title 'master', '' using 3 title 'fast lane', '' using 4 title 'slow lane', 6.90 with lines dt 2 lw 2 lc rgb "black" title "graph arrays"
