# Shared by the bench scripts (source it after setting DIR).

# median3 CMD...: prints "wall_s rss_mib" of the median of 3 runs by wall time.
median3() {
    : > "$DIR/runs.txt"
    for _ in 1 2 3; do
        local t0 t1
        t0=$(date +%s.%N)
        /usr/bin/time -f "%M" -o "$DIR/rss.txt" "$@" > /dev/null
        t1=$(date +%s.%N)
        echo "$(echo "$t1 - $t0" | bc -l) $(( $(cat "$DIR/rss.txt") / 1024 ))" >> "$DIR/runs.txt"
    done
    sort -n "$DIR/runs.txt" | sed -n 2p
}
