#!/usr/bin/env bash
# Run inside `unshare --user --map-root-user --mount` by tests/disk.rs: a 6 MiB tmpfs as the
# flow store's disk. Writes exit codes, stderr and copies of the store into $OUT for the test.
# Args: BIN SMALL_PCAP BIG_PCAP OUT PORT
set -u
BIN=$1 SMALL=$2 BIG=$3 OUT=$4 PORT=$5
MNT=$OUT/mnt
mkdir -p "$MNT"
mount -t tmpfs -o size=6m tmpfs "$MNT" || { echo "mount failed" > "$OUT/setup-error"; exit 1; }
fill() {  # fill the tmpfs, leaving $1 KiB free
    local avail
    avail=$(df --output=avail -B1024 "$MNT" | tail -1)
    echo "fill $2: $avail KiB free, leaving $1" >> "$OUT/df.log"
    if [ "$avail" -gt "$1" ]; then fallocate -l "$(( (avail - $1) * 1024 ))" "$MNT/filler$2"; fi
    : > "$MNT/filler$2"-marker 2> /dev/null || true
}
export PIVOTFLOW_LOG=warn

# 1. A capture that fits; a copy of it for comparison after the disk filled up.
"$BIN" capture --pcap "$SMALL" --data "$MNT/store" 2> "$OUT/small.err"; echo $? > "$OUT/small.rc"
cp -a "$MNT/store" "$OUT/store-before"

# 2. The disk fills up during the next capture: exit 4, nothing half-visible, the first intact.
fill 1024 1
"$BIN" capture --pcap "$BIG" --data "$MNT/store" 2> "$OUT/full.err"; echo $? > "$OUT/full.rc"
find "$MNT/store" -type f | sort > "$OUT/full.files"
cp -a "$MNT/store" "$OUT/store-full"

# 3. Space returns: the same capture succeeds.
rm "$MNT/filler1"
"$BIN" capture --pcap "$BIG" --data "$MNT/store" 2> "$OUT/again.err"; echo $? > "$OUT/again.rc"
cp -a "$MNT/store" "$OUT/store-again"

# 4. Live: the journal cannot be written once the disk is full; the collector exits 4 by
#    itself; after space returns a restart recovers what was journaled.
rm -rf "$MNT/store"
"$BIN" capture --listen "127.0.0.1:$PORT" --data "$MNT/live" --flush-interval 100ms 2> "$OUT/live.err" &
pid=$!
sleep 1
"$BIN" synth --send "127.0.0.1:$PORT" --flows 20000 --rate 50000 --format ipfix --seed 5 2> /dev/null
sleep 0.5
fill 0 2
"$BIN" synth --send "127.0.0.1:$PORT" --flows 200000 --rate 100000 --format ipfix --seed 6 2> /dev/null
for _ in $(seq 150); do kill -0 $pid 2> /dev/null || break; sleep 0.2; done
if kill -0 $pid 2> /dev/null; then echo hang > "$OUT/live.rc"; kill -9 $pid; else wait $pid; echo $? > "$OUT/live.rc"; fi
rm "$MNT/filler2"
"$BIN" capture --listen "127.0.0.1:$PORT" --data "$MNT/live" 2> "$OUT/live2.err" &
pid=$!
sleep 1
kill -TERM $pid; wait $pid; echo $? > "$OUT/live2.rc"
cp -a "$MNT/live" "$OUT/store-live"

# 5. A read-only store: a clear error at start, exit 4.
mount -o remount,ro "$MNT"
"$BIN" capture --pcap "$SMALL" --data "$MNT/live" 2> "$OUT/ro.err"; echo $? > "$OUT/ro.rc"
"$BIN" capture --listen "127.0.0.1:$PORT" --data "$MNT/live" 2> "$OUT/ro-live.err"; echo $? > "$OUT/ro-live.rc"
umount "$MNT"
