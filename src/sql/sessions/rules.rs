//! The session rules of queries/sessions.sql, step for step: the connection key, the records
//! of a key, which endpoint is the server (rule a), when a silence starts a new session (rule
//! b), and how several observation points of one direction count once (rule c).

/// A silence longer than this (ms) between records of one key starts a new session (rule b),
/// unless the later record is TCP with exported flags and no SYN.
pub const SPLIT_GAP_MS: i64 = 60_000;

pub(super) const TCP_SYN: u16 = 0x02;

/// Ports that make an endpoint the server (rule a); the same list as queries/sessions.sql.
pub(super) const SERVICE_PORTS: &[i32] =
    &[1433, 1521, 2049, 3306, 3389, 5432, 5900, 5985, 5986, 6379, 8080, 8443, 9200, 27017];

pub(super) fn is_service(port: i32) -> bool {
    (1..=1023).contains(&port) || SERVICE_PORTS.contains(&port)
}

/// A connection key: endpoint a is the one that sorts first (address text, then port).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Key {
    pub(super) a_addr: u32,
    pub(super) b_addr: u32,
    pub(super) a_port: i32,
    pub(super) b_port: i32,
    pub(super) proto: i32,
}

/// One flow record of a key.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rec {
    pub(super) start: i64,
    pub(super) end: i64,
    pub(super) packets: i64,
    pub(super) bytes: i64,
    pub(super) domain: i64,
    pub(super) exporter: u32,
    /// TCP flags as stored (0: not exported).
    pub(super) flags: u16,
    /// The record was sent by endpoint a (`src_is_a`).
    pub(super) from_a: bool,
}

impl Rec {
    /// Ordering of "the earliest record's sender": start, then a before b (`start * 2 + bit`).
    pub(super) fn first_key(&self) -> (i64, bool) {
        (self.start, !self.from_a)
    }
}

/// Two records that make one session without rules (b) and (c), as the SQL's `simple`: one per
/// direction, and the later start no more than the gap after the earlier end.
pub(super) fn one_each_way(x: &Rec, y: &Rec) -> bool {
    x.from_a != y.from_a && x.start.max(y.start) <= x.end.min(y.end).saturating_add(SPLIT_GAP_MS)
}

/// One finished session of a key, still in a/b terms (`all_sessions`).
#[derive(Debug, Default)]
pub(super) struct Conn {
    pub(super) a_sent_first: bool,
    pub(super) start: i64,
    pub(super) end: i64,
    pub(super) packets_a: i64,
    pub(super) bytes_a: i64,
    pub(super) packets_b: i64,
    pub(super) bytes_b: i64,
    pub(super) records: i64,
    pub(super) exporters: Vec<u32>,
}

impl Conn {
    pub(super) fn single(r: &Rec) -> Conn {
        let (pa, ba, pb, bb) =
            if r.from_a { (r.packets, r.bytes, 0, 0) } else { (0, 0, r.packets, r.bytes) };
        Conn {
            a_sent_first: r.from_a,
            start: r.start,
            end: r.end,
            packets_a: pa,
            bytes_a: ba,
            packets_b: pb,
            bytes_b: bb,
            records: 1,
            exporters: vec![r.exporter],
        }
    }

    pub(super) fn pair(x: &Rec, y: &Rec) -> Conn {
        let (a, b) = if x.from_a { (x, y) } else { (y, x) };
        let first = if x.first_key() <= y.first_key() { x } else { y };
        Conn {
            a_sent_first: first.from_a,
            start: x.start.min(y.start),
            end: x.end.max(y.end),
            packets_a: a.packets,
            bytes_a: a.bytes,
            packets_b: b.packets,
            bytes_b: b.bytes,
            records: 2,
            exporters: vec![x.exporter, y.exporter],
        }
    }
}

/// An observation point in one direction: (from_a, exporter, observation domain).
pub(super) type Observer = (bool, u32, i64);

/// Rules (b) and (c) for a key with several records per direction or a long silence: the
/// `gaps`, `numbered`, `per_observer`, `per_direction` and `complex_sessions` steps.
pub(super) fn split(mut recs: Vec<Rec>, proto: i32) -> Vec<Conn> {
    // The SQL's window order: start, end, then the larger record first (ties are real: one
    // exporter re-exporting the same flow with other counters).
    recs.sort_by_key(|r| {
        (r.start, r.end, std::cmp::Reverse(r.packets), std::cmp::Reverse(r.bytes))
    });
    let mut sessions = Vec::new();
    // Latest end so far over the key (gaps) and per observer over the key (numbered).
    let mut latest_end: Option<i64> = None;
    let mut observer_end: Vec<(Observer, i64)> = Vec::new();
    // Kept volume per observer within the current session (per_observer).
    let mut observed: Vec<(Observer, i64, i64)> = Vec::new();
    let mut current: Option<(Conn, (i64, bool))> = None;
    let close = |current: Option<(Conn, (i64, bool))>,
                 observed: &mut Vec<(Observer, i64, i64)>,
                 sessions: &mut Vec<Conn>| {
        if let Some((mut s, _)) = current {
            // per_direction: the largest total of any observation point, packets and bytes
            // each on their own.
            for &((from_a, _, _), p, b) in observed.iter() {
                if from_a {
                    s.packets_a = s.packets_a.max(p);
                    s.bytes_a = s.bytes_a.max(b);
                } else {
                    s.packets_b = s.packets_b.max(p);
                    s.bytes_b = s.bytes_b.max(b);
                }
            }
            sessions.push(s);
        }
        observed.clear();
    };
    for r in &recs {
        // A TCP record with exported flags but no SYN continues its connection (rule b).
        let continues = proto == 6 && r.flags != 0 && r.flags & TCP_SYN == 0;
        let starts_session =
            !continues && latest_end.is_some_and(|m| r.start > m.saturating_add(SPLIT_GAP_MS));
        if starts_session {
            close(current.take(), &mut observed, &mut sessions);
        }
        latest_end = Some(latest_end.map_or(r.end, |m| m.max(r.end)));
        let obs: Observer = (r.from_a, r.exporter, r.domain);
        let kept = match observer_end.iter_mut().find(|(o, _)| *o == obs) {
            Some((_, prev)) => {
                let kept = r.start > *prev;
                *prev = (*prev).max(r.end);
                kept
            }
            None => {
                observer_end.push((obs, r.end));
                true
            }
        };
        if kept {
            match observed.iter_mut().find(|(o, _, _)| *o == obs) {
                Some((_, p, b)) => {
                    *p += r.packets;
                    *b += r.bytes;
                }
                None => observed.push((obs, r.packets, r.bytes)),
            }
        }
        match &mut current {
            None => {
                let s = Conn {
                    a_sent_first: r.from_a,
                    start: r.start,
                    end: r.end,
                    records: 1,
                    exporters: vec![r.exporter],
                    ..Conn::default()
                };
                current = Some((s, r.first_key()));
            }
            Some((s, first)) => {
                if r.first_key() < *first {
                    *first = r.first_key();
                    s.a_sent_first = r.from_a;
                }
                s.start = s.start.min(r.start);
                s.end = s.end.max(r.end);
                s.records += 1;
                if !s.exporters.contains(&r.exporter) {
                    s.exporters.push(r.exporter);
                }
            }
        }
    }
    close(current.take(), &mut observed, &mut sessions);
    sessions
}
