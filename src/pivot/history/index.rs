//! `hosts.idx`: a day's hop facts by host, so that a night reads the facts about its chains'
//! hosts without decoding the whole day. At 100 M flows a day a day's `hops.parquet` holds
//! 1.16 M facts of which a night's 434 hosts need ~2 % (~22 000), spread over the file: Parquet
//! finds one host's rows only by decoding the columns that name the hosts in every row (~40 ms a
//! day with the rest, 1.1 s for 28 days on one core; a row filter that decodes the other
//! columns for the kept rows only was slower still: thousands of short runs). The index is
//! derived from `hops.parquet`, written beside it in the same step, and only a cache: a day
//! without it, or whose `hops.parquet` is not the one it was built from, is read from the
//! Parquet file as before (`store::read_day_about`).
//!
//! Layout (little-endian; sections one after the other in this order):
//!
//! | section | content |
//! |---|---|
//! | header (64 bytes) | `PFHIDX01`, size and last 8 bytes of the `hops.parquet` it indexes, `BUSY_FACTS`, the counts below |
//! | name offsets | (names + 1) × u32 into the name bytes |
//! | name bytes | every host and service name, UTF-8 |
//! | directory | per host, by name bytes: name, first client row, client rows, first server row (or busy entry), server facts (5 × u32) |
//! | client rows | every fact, grouped by client: row in `hops.parquet`, server, service (bit 31: alerted), hours, connections (24 bytes) |
//! | server rows | the facts of each server with at most `BUSY_FACTS` of them, grouped by server: row, client, … (24 bytes) |
//! | busy entries | per server with more: facts, first and count of its service entries, connections, facts per hour bit (32 × u32) |
//! | busy services | service, facts (2 × u32) |
//!
//! A busy server's facts with hosts of no interest are summed up when read (`BusyFact`): its
//! entry holds the sums over all its facts, and the reader takes away those of its clients of
//! interest (found in their client rows), so a server with 50 000 clients costs one entry.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::Path;

use hashbrown::{HashMap, HashSet};

use super::{BUSY_FACTS, BusyFact, HopFact};
use crate::error::{Error, Result};

/// File name of the index in a day's facts folder.
pub const INDEX_FILE: &str = "hosts.idx";
const MAGIC: &[u8; 8] = b"PFHIDX01";
const HEADER: u64 = 64;
const ROW: usize = 24;
const ENTRY: usize = 20;
const BUSY_ENTRY: usize = 24 + 32 * 4;

/// What identifies the `hops.parquet` an index was built from: its size and last 8 bytes
/// (the length of its footer and `PAR1`).
fn parquet_id(path: &Path) -> std::io::Result<(u64, [u8; 8])> {
    let f = File::open(path)?;
    let len = f.metadata()?.len();
    let mut tail = [0u8; 8];
    if len >= 8 {
        f.read_exact_at(&mut tail, len - 8)?;
    }
    Ok((len, tail))
}

/// One fact as the index stores it: its row in `hops.parquet`, the other host, the service
/// (bit 31: alerted), hours and connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Row {
    row: u32,
    other: u32,
    service: u32,
    alerted: bool,
    hours: i32,
    connections: i64,
}

impl Row {
    fn put(&self, out: &mut [u8]) {
        out[0..4].copy_from_slice(&self.row.to_le_bytes());
        out[4..8].copy_from_slice(&self.other.to_le_bytes());
        out[8..12].copy_from_slice(&(self.service | u32::from(self.alerted) << 31).to_le_bytes());
        out[12..16].copy_from_slice(&self.hours.to_le_bytes());
        out[16..24].copy_from_slice(&self.connections.to_le_bytes());
    }

    fn get(b: &[u8]) -> Row {
        let u = |k: usize| u32::from_le_bytes([b[k], b[k + 1], b[k + 2], b[k + 3]]);
        let mut c = [0u8; 8];
        c.copy_from_slice(&b[16..24]);
        Row {
            row: u(0),
            other: u(4),
            service: u(8) & !(1 << 31),
            alerted: u(8) >> 31 == 1,
            hours: u(12) as i32,
            connections: i64::from_le_bytes(c),
        }
    }
}

/// The index of the hop facts `hops`, built before their `hops.parquet` is written (on a
/// thread beside the Parquet encoders): `write` then stamps it with that file's identity.
pub struct Built(Option<Vec<Vec<u8>>>);

/// Build the index of `hops` (see `Built`).
pub fn build_for(hops: &[HopFact]) -> Built {
    Built(build(hops))
}

/// Write `dir/hosts.idx` for `built`, the index of the hop facts just written to
/// `dir/hops.parquet` (atomically: temporary name, fsync, rename).
pub fn write(dir: &Path, built: Built) -> Result<()> {
    let (len, tail) = parquet_id(&dir.join("hops.parquet")).map_err(|e| Error::io(dir, e))?;
    let Built(Some(mut parts)) = built else {
        // Too many facts or names for 31-bit numbers: no index, the Parquet file is read.
        return Ok(());
    };
    parts[0][8..16].copy_from_slice(&len.to_le_bytes());
    parts[0][16..24].copy_from_slice(&tail);
    let path = dir.join(INDEX_FILE);
    let tmp = crate::store::atomic::temp_path(&path);
    let mut file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    for part in &parts {
        file.write_all(part).map_err(|e| Error::io(&tmp, e))?;
    }
    crate::store::atomic::commit(file, &tmp, &path)
}

/// The index's bytes (header and names, then each section; the header's stamp of the Parquet
/// file left 0 for `write`), or None when the facts do not fit its numbers.
fn build(hops: &[HopFact]) -> Option<Vec<Vec<u8>>> {
    if hops.len() >= 1 << 31 {
        return None;
    }
    // One pass in row order: names numbered in order of first appearance (the facts come
    // sorted by client, so a client is mostly the one before: compared, not hashed), the
    // facts' numbers and values in flat arrays (the facts themselves are read once).
    let mut table = super::learn::Numbering::default();
    let mut rows: Vec<Row> = Vec::with_capacity(hops.len());
    let mut clients: Vec<u32> = Vec::with_capacity(hops.len());
    // The last client and service met, and their numbers.
    let mut last_client: Option<(&str, u32)> = None;
    let mut last_service: Option<(&str, u32)> = None;
    for (i, f) in hops.iter().enumerate() {
        let c = match last_client {
            Some((t, n)) if t == f.client => n,
            _ => table.id(&f.client),
        };
        let v = match last_service {
            Some((t, n)) if t == f.service => n,
            _ => table.id(&f.service),
        };
        (last_client, last_service) = (Some((f.client.as_str(), c)), Some((f.service.as_str(), v)));
        clients.push(c);
        rows.push(Row {
            row: i as u32,
            other: table.id(&f.server),
            service: v,
            alerted: f.alerted,
            hours: f.hours,
            connections: f.connections,
        });
    }
    let names = table.names;
    let n = names.len();
    if n >= 1 << 31 {
        return None;
    }
    // Facts per host as client and as server.
    let (mut as_client, mut as_server) = (vec![0u32; n], vec![0u32; n]);
    for (r, &c) in rows.iter().zip(&clients) {
        as_client[c as usize] += 1;
        as_server[r.other as usize] += 1;
    }
    let busy_server = |k: u32| as_server[k as usize] as usize > BUSY_FACTS;
    // Client rows: in row order when each client's facts are together (as written), else
    // grouped by a counting sort. Starts per client either way.
    let mut client_start = vec![u32::MAX; n];
    let mut grouped = true;
    for (i, &c) in clients.iter().enumerate() {
        if i == 0 || clients[i - 1] != c {
            grouped &= client_start[c as usize] == u32::MAX;
            client_start[c as usize] = i as u32;
        }
    }
    let by_client: Vec<u32> = if grouped {
        (0..rows.len() as u32).collect()
    } else {
        counting_sort(&clients, n, &mut client_start)
    };
    // Server rows: the facts of servers with at most BUSY_FACTS, grouped; sums for the others
    // (one pass in row order into a small table).
    let small: Vec<u32> =
        (0..rows.len() as u32).filter(|&i| !busy_server(rows[i as usize].other)).collect();
    let small_servers: Vec<u32> = small.iter().map(|&i| rows[i as usize].other).collect();
    let mut server_start = vec![u32::MAX; n];
    let by_server: Vec<u32> = counting_sort(&small_servers, n, &mut server_start)
        .into_iter()
        .map(|k| small[k as usize])
        .collect();
    let mut busy_slot = vec![u32::MAX; n];
    let mut sums: Vec<BusySums> = Vec::new();
    for r in &rows {
        let s = r.other as usize;
        if as_server[s] as usize <= BUSY_FACTS {
            continue;
        }
        if busy_slot[s] == u32::MAX {
            busy_slot[s] = sums.len() as u32;
            sums.push(BusySums::default());
        }
        let x = &mut sums[busy_slot[s] as usize];
        match x.services.iter_mut().find(|(v, _)| *v == r.service) {
            Some(e) => e.1 += 1,
            None => x.services.push((r.service, 1)),
        }
        x.connections += r.connections;
        let mut h = r.hours as u32;
        while h != 0 {
            x.bits[h.trailing_zeros() as usize] += 1;
            h &= h - 1;
        }
    }
    // Hosts: every name that is a client or a server, by name bytes.
    let mut hosts: Vec<u32> =
        (0..n as u32).filter(|&k| as_client[k as usize] + as_server[k as usize] > 0).collect();
    hosts.sort_unstable_by_key(|&k| names[k as usize].as_bytes());
    let mut client_rows: Vec<u8> = vec![0; rows.len() * ROW];
    for (&i, out) in by_client.iter().zip(client_rows.chunks_exact_mut(ROW)) {
        rows[i as usize].put(out);
    }
    let mut server_rows: Vec<u8> = vec![0; by_server.len() * ROW];
    for (&i, out) in by_server.iter().zip(server_rows.chunks_exact_mut(ROW)) {
        Row { other: clients[i as usize], ..rows[i as usize] }.put(out);
    }
    let (mut busy, mut busy_services, mut directory) = (Vec::new(), Vec::new(), Vec::new());
    let (mut busy_count, mut busy_service_count) = (0u32, 0u32);
    for &h in &hosts {
        let (cl, sl) = (as_client[h as usize], as_server[h as usize]);
        let cs = if cl > 0 { client_start[h as usize] } else { 0 };
        let first = if busy_server(h) {
            let x = &sums[busy_slot[h as usize] as usize];
            for v in [sl, busy_service_count, x.services.len() as u32, 0] {
                busy.extend_from_slice(&v.to_le_bytes());
            }
            busy.extend_from_slice(&x.connections.to_le_bytes());
            for b in x.bits {
                busy.extend_from_slice(&b.to_le_bytes());
            }
            for (v, count) in &x.services {
                busy_services.extend_from_slice(&v.to_le_bytes());
                busy_services.extend_from_slice(&count.to_le_bytes());
            }
            busy_service_count += x.services.len() as u32;
            busy_count += 1;
            busy_count - 1
        } else if sl > 0 {
            server_start[h as usize]
        } else {
            0
        };
        for v in [h, cs, cl, first, sl] {
            directory.extend_from_slice(&v.to_le_bytes());
        }
    }
    let name_bytes: usize = names.iter().map(|s| s.len()).sum();
    let name_bytes = u32::try_from(name_bytes).ok()?;
    // The header and names in one buffer; the big sections are written as they are.
    let mut out = Vec::with_capacity(HEADER as usize + 4 * (n + 1) + name_bytes as usize);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[0; 16]);
    let counts = [
        BUSY_FACTS as u32,
        n as u32,
        name_bytes,
        hosts.len() as u32,
        rows.len() as u32,
        by_server.len() as u32,
        busy_count,
        busy_service_count,
    ];
    for x in counts {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.resize(HEADER as usize, 0);
    let mut offset = 0u32;
    out.extend_from_slice(&offset.to_le_bytes());
    for s in &names {
        offset += s.len() as u32;
        out.extend_from_slice(&offset.to_le_bytes());
    }
    for s in &names {
        out.extend_from_slice(s.as_bytes());
    }
    Some(vec![out, directory, client_rows, server_rows, busy, busy_services])
}

/// A busy server's facts summed: per service its facts, connections, facts per hour bit.
#[derive(Default)]
struct BusySums {
    services: Vec<(u32, u32)>,
    connections: i64,
    bits: [u32; 32],
}

/// Positions 0..keys.len() grouped by key (each group in position order); `start[k]` set to
/// the first place of key k's group.
fn counting_sort(keys: &[u32], n: usize, start: &mut [u32]) -> Vec<u32> {
    let mut count = vec![0u32; n + 1];
    for &k in keys {
        count[k as usize + 1] += 1;
    }
    for k in 0..n {
        count[k + 1] += count[k];
    }
    for k in 0..n {
        if count[k + 1] > count[k] {
            start[k] = count[k];
        }
    }
    let mut order = vec![0u32; keys.len()];
    for (i, &k) in keys.iter().enumerate() {
        order[count[k as usize] as usize] = i as u32;
        count[k as usize] += 1;
    }
    order
}

/// The header's counts.
struct Header {
    names: u32,
    name_bytes: u32,
    hosts: u32,
    client_rows: u32,
    server_rows: u32,
    busy: u32,
    busy_services: u32,
}

/// An index opened for reading: its names and directory in memory, the rows read on demand.
struct Index {
    file: File,
    offsets: Vec<u32>,
    names: Vec<u8>,
    directory: Vec<u8>,
    h: Header,
    client_at: u64,
    server_at: u64,
    busy: Vec<u8>,
    busy_services: Vec<u8>,
}

/// A directory entry.
#[derive(Clone, Copy)]
struct Entry {
    name: u32,
    client_start: u32,
    client_len: u32,
    server_first: u32,
    server_len: u32,
}

fn u32_at(b: &[u8], k: usize) -> u32 {
    u32::from_le_bytes([b[k], b[k + 1], b[k + 2], b[k + 3]])
}

fn bad(path: &Path, what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {what}", path.display()))
}

impl Index {
    /// Open `dir/hosts.idx` when it indexes `dir/hops.parquet` as it is now; None when there
    /// is none, or it is another file's (an error: it is damaged).
    fn open(dir: &Path) -> std::io::Result<Option<Index>> {
        let path = dir.join(INDEX_FILE);
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let size = file.metadata()?.len();
        let mut head = [0u8; HEADER as usize];
        if size < HEADER {
            return Err(bad(&path, "shorter than its header"));
        }
        file.read_exact_at(&mut head, 0)?;
        if &head[..8] != MAGIC {
            return Err(bad(&path, "not a pivotflow host index"));
        }
        // No Parquet file to identify: that read says what is wrong.
        let Ok((len, tail)) = parquet_id(&dir.join("hops.parquet")) else { return Ok(None) };
        let mut stored_tail = [0u8; 8];
        stored_tail.copy_from_slice(&head[16..24]);
        let stored_len = u64::from_le_bytes(head[8..16].try_into().unwrap_or([0; 8]));
        if stored_len != len || stored_tail != tail || u32_at(&head, 24) as usize != BUSY_FACTS {
            return Ok(None);
        }
        let h = Header {
            names: u32_at(&head, 28),
            name_bytes: u32_at(&head, 32),
            hosts: u32_at(&head, 36),
            client_rows: u32_at(&head, 40),
            server_rows: u32_at(&head, 44),
            busy: u32_at(&head, 48),
            busy_services: u32_at(&head, 52),
        };
        let sizes = [
            4 * (u64::from(h.names) + 1),
            u64::from(h.name_bytes),
            ENTRY as u64 * u64::from(h.hosts),
            ROW as u64 * u64::from(h.client_rows),
            ROW as u64 * u64::from(h.server_rows),
            BUSY_ENTRY as u64 * u64::from(h.busy),
            8 * u64::from(h.busy_services),
        ];
        if HEADER + sizes.iter().sum::<u64>() != size {
            return Err(bad(&path, "its size does not match its header"));
        }
        let mut at = HEADER;
        let mut section = |k: usize| -> std::io::Result<(u64, Vec<u8>)> {
            let start = at;
            at += sizes[k];
            // The rows are read on demand.
            if k == 3 || k == 4 {
                return Ok((start, Vec::new()));
            }
            let mut b = vec![0u8; sizes[k] as usize];
            file.read_exact_at(&mut b, start)?;
            Ok((start, b))
        };
        let (_, offsets) = section(0)?;
        let (_, names) = section(1)?;
        let (_, directory) = section(2)?;
        let (client_at, _) = section(3)?;
        let (server_at, _) = section(4)?;
        let (_, busy) = section(5)?;
        let (_, busy_services) = section(6)?;
        let offsets: Vec<u32> = offsets.chunks_exact(4).map(|b| u32_at(b, 0)).collect();
        if offsets.windows(2).any(|w| w[0] > w[1])
            || offsets.last().copied() != Some(h.name_bytes)
            || std::str::from_utf8(&names).is_err()
        {
            return Err(bad(&path, "its names are damaged"));
        }
        Ok(Some(Index {
            file,
            offsets,
            names,
            directory,
            h,
            client_at,
            server_at,
            busy,
            busy_services,
        }))
    }

    fn name(&self, k: u32) -> Option<&str> {
        let (a, b) = (*self.offsets.get(k as usize)?, *self.offsets.get(k as usize + 1)?);
        std::str::from_utf8(self.names.get(a as usize..b as usize)?).ok()
    }

    fn entry(&self, i: usize) -> Entry {
        let b = &self.directory[i * ENTRY..][..ENTRY];
        Entry {
            name: u32_at(b, 0),
            client_start: u32_at(b, 4),
            client_len: u32_at(b, 8),
            server_first: u32_at(b, 12),
            server_len: u32_at(b, 16),
        }
    }

    /// The directory entry of host `name` (binary search by name bytes).
    fn find(&self, name: &str) -> Option<Entry> {
        let (mut lo, mut hi) = (0usize, self.h.hosts as usize);
        while lo < hi {
            let mid = (lo + hi) / 2;
            let e = self.entry(mid);
            match self.name(e.name)?.as_bytes().cmp(name.as_bytes()) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(e),
            }
        }
        None
    }

    fn rows(&self, at: u64, total: u32, start: u32, len: u32) -> std::io::Result<Vec<Row>> {
        if u64::from(start) + u64::from(len) > u64::from(total) {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "row range"));
        }
        let mut b = vec![0u8; len as usize * ROW];
        self.file.read_exact_at(&mut b, at + u64::from(start) * ROW as u64)?;
        Ok(b.chunks_exact(ROW).map(Row::get).collect())
    }
}

/// The hop facts of `dir` about the hosts in `interest` and the busy hosts' sums, exactly as
/// `store::read_day_about` reads them from `hops.parquet` (times 0), from `dir/hosts.idx`;
/// None when the day has no index for its `hops.parquet` as it is now.
pub fn read_about(
    dir: &Path,
    interest: &std::collections::HashSet<String>,
) -> Result<Option<(Vec<HopFact>, Vec<BusyFact>)>> {
    let path = dir.join(INDEX_FILE);
    let Some(ix) = Index::open(dir).map_err(|e| Error::io(&path, e))? else {
        return Ok(None);
    };
    let damaged = |what: &str| Error::io(&path, bad(&path, what));
    // The hosts of interest present that day, by number.
    let watched: HashMap<u32, Entry> =
        interest.iter().filter_map(|h| ix.find(h)).map(|e| (e.name, e)).collect();
    let mut found: Vec<Entry> = watched.values().copied().collect();
    found.sort_unstable_by_key(|e| e.name);
    let busy_as_server = |e: &Entry| e.server_len as usize > BUSY_FACTS;
    let busy_as_client = |e: &Entry| e.client_len as usize > BUSY_FACTS;
    let mut kept: Vec<(u32, u32, Row)> = Vec::new(); // (client, server, fact)
    // Sums per (host, as server): services, hours, connections; and for busy servers
    // what their clients of interest take away from the entry's sums.
    let mut sums: HashMap<(u32, bool), (HashSet<u32>, i32, i64)> = HashMap::new();
    let mut taken: HashMap<u32, Vec<Row>> = HashMap::new();
    for e in &found {
        let rows = ix
            .rows(ix.client_at, ix.h.client_rows, e.client_start, e.client_len)
            .map_err(|x| Error::io(&path, x))?;
        for r in rows {
            let server = watched.get(&r.other);
            // Whether a server of no interest is busy does not matter to the rule.
            let server_end = (server.is_some(), server.is_some_and(busy_as_server));
            // The client is of interest: the fact is kept or summed into the client.
            if super::fate((true, busy_as_client(e)), server_end) == super::Fate::Keep {
                kept.push((e.name, r.other, r));
                // Kept here, so not part of its busy server's sums.
                if let Some(s) = server.filter(|s| busy_as_server(s)) {
                    taken.entry(s.name).or_default().push(r);
                }
            } else {
                let x = sums.entry((e.name, false)).or_default();
                x.0.insert(r.service);
                x.1 |= r.hours;
                x.2 = x.2.wrapping_add(r.connections);
            }
        }
    }
    // The servers of interest: a fact with a client of no interest is kept when the server is
    // not busy and summed into it when it is (`fate((false, _), (true, busy))`); those with
    // a client of interest came with that client's rows above. A busy server's sum is the
    // index's (all its facts) less the facts kept with a client of interest (`taken`).
    for e in found.iter().filter(|e| e.server_len > 0) {
        if busy_as_server(e) {
            let k = e.server_first as usize;
            let b =
                ix.busy.get(k * BUSY_ENTRY..(k + 1) * BUSY_ENTRY).ok_or_else(|| damaged("busy"))?;
            let (facts, first, count) = (u32_at(b, 0), u32_at(b, 4), u32_at(b, 8));
            let mut connections = i64::from_le_bytes(b[16..24].try_into().unwrap_or([0; 8]));
            let mut bits: Vec<u32> = (0..32).map(|i| u32_at(b, 24 + 4 * i)).collect();
            let services = ix
                .busy_services
                .get(first as usize * 8..(first as usize + count as usize) * 8)
                .ok_or_else(|| damaged("busy services"))?;
            let mut per_service: Vec<(u32, u32)> =
                services.chunks_exact(8).map(|s| (u32_at(s, 0), u32_at(s, 4))).collect();
            let mut left = facts;
            for r in taken.get(&e.name).into_iter().flatten() {
                left = left.saturating_sub(1);
                connections = connections.wrapping_sub(r.connections);
                for (i, n) in bits.iter_mut().enumerate() {
                    *n = n.saturating_sub((r.hours as u32 >> i) & 1);
                }
                if let Some(s) = per_service.iter_mut().find(|s| s.0 == r.service) {
                    s.1 = s.1.saturating_sub(1);
                }
            }
            if left > 0 {
                let hours = (0..32).filter(|&i| bits[i] > 0).fold(0u32, |h, i| h | 1 << i);
                let services = per_service.iter().filter(|s| s.1 > 0).map(|s| s.0).collect();
                sums.insert((e.name, true), (services, hours as i32, connections));
            }
        } else {
            let rows = ix
                .rows(ix.server_at, ix.h.server_rows, e.server_first, e.server_len)
                .map_err(|x| Error::io(&path, x))?;
            for r in rows.into_iter().filter(|r| !watched.contains_key(&r.other)) {
                kept.push((r.other, e.name, r));
            }
        }
    }
    kept.sort_unstable_by_key(|k| k.2.row);
    let name = |k: u32| ix.name(k).map(str::to_string).ok_or_else(|| damaged("a name"));
    let mut hops = Vec::with_capacity(kept.len());
    for (c, s, r) in kept {
        hops.push(HopFact {
            client: name(c)?,
            server: name(s)?,
            service: name(r.service)?,
            connections: r.connections,
            first_ms: 0,
            last_ms: 0,
            hours: r.hours,
            alerted: r.alerted,
        });
    }
    let mut busy = Vec::with_capacity(sums.len());
    for ((host, as_server), (services, hours, connections)) in sums {
        let mut services: Vec<String> = services.into_iter().map(name).collect::<Result<_>>()?;
        services.sort_unstable();
        busy.push(BusyFact { host: name(host)?, as_server, services, hours, connections });
    }
    busy.sort_unstable_by(|a, b| (&a.host, a.as_server).cmp(&(&b.host, b.as_server)));
    Ok(Some((hops, busy)))
}
