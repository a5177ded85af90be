//! One streaming pass over the flow batches into a hash table keyed by connection, then the
//! sessions one output batch at a time (the operator's work; the rules are in `rules`).

use std::cmp::Ordering;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Int32Array, Int64Array, RecordBatch, StringBuilder,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int32Type, Int64Type, SchemaRef};
use datafusion::common::{DataFusionError, Result as DfResult};
use datafusion::execution::memory_pool::MemoryReservation;
use hashbrown::HashMap;

use super::INPUT_COLUMNS;
use super::rules::{Conn, Key, Rec, is_service, one_each_way, split};
use crate::sql::text::{text_column, texts};

/// Address and exporter texts, each stored once and named by a number.
#[derive(Default)]
pub(super) struct Interner {
    ids: HashMap<Box<str>, u32>,
    texts: Vec<Box<str>>,
    bytes: usize,
}

impl Interner {
    fn id(&mut self, s: &str) -> DfResult<u32> {
        if let Some(&id) = self.ids.get(s) {
            return Ok(id);
        }
        let id = u32::try_from(self.texts.len()).map_err(|_| {
            DataFusionError::ResourcesExhausted(
                "sessions: more than 2^32 distinct addresses".into(),
            )
        })?;
        self.texts.push(s.into());
        self.ids.insert(s.into(), id);
        self.bytes += 2 * s.len() + 48;
        Ok(id)
    }

    fn text(&self, id: u32) -> &str {
        &self.texts[id as usize]
    }
}

/// Accumulates the flow records, then groups them by key and turns them into sessions.
///
/// Flat arrays rather than a map of per-key vectors: the map holds only key → group number
/// (24 bytes an entry), the records sit in one array in arrival order. A map of ~130-byte
/// entries spent most of its time in page faults as it doubled (perf: 45 % `clear_page`).
pub(super) struct Builder {
    groups: HashMap<Key, u32>,
    keys: Vec<Key>,
    recs: Vec<Rec>,
    group_of: Vec<u32>,
    addrs: Interner,
    reservation: MemoryReservation,
}

impl Builder {
    pub(super) fn new(reservation: MemoryReservation, rows_hint: Option<usize>) -> Self {
        // Parquet footers give the row count up front: size the arrays once. Keys are at most
        // the rows, usually about half (one record per direction).
        let rows = rows_hint.unwrap_or(0).min(1 << 31);
        Builder {
            groups: HashMap::with_capacity(rows / 2),
            keys: Vec::with_capacity(rows / 2),
            recs: Vec::with_capacity(rows),
            group_of: Vec::with_capacity(rows),
            addrs: Interner::default(),
            reservation,
        }
    }

    /// What the table holds now, for the memory pool.
    fn memory(&self) -> usize {
        self.groups.capacity() * (std::mem::size_of::<(Key, u32)>() + 1)
            + self.keys.capacity() * std::mem::size_of::<Key>()
            + self.recs.capacity() * std::mem::size_of::<Rec>()
            + self.group_of.capacity() * 4
            + self.addrs.bytes
            + self.addrs.ids.capacity() * (std::mem::size_of::<(Box<str>, u32)>() + 1)
    }

    /// Add a batch's rows. (Long because the columns are taken once by name and then read
    /// in one loop per row, the hot loop of the sessions operator; in parts, the borrowed
    /// columns would have to travel in a struct of twelve arrays.)
    pub(super) fn push(&mut self, batch: &RecordBatch) -> DfResult<()> {
        // Columns by name (`INPUT_COLUMNS`), whatever order the scan delivers them in.
        let column = |name: &str| {
            batch.column_by_name(name).ok_or_else(|| {
                DataFusionError::Internal(format!(
                    "sessions: input has no column {name} (it needs {})",
                    INPUT_COLUMNS.join(", ")
                ))
            })
        };
        let int64 = |name: &str| cast(column(name)?, &DataType::Int64);
        let int32 = |name: &str| cast(column(name)?, &DataType::Int32);
        let (start, end) = (int64("flow_start_ms")?, int64("flow_end_ms")?);
        let (packets, bytes) = (int64("packets")?, int64("bytes")?);
        let (start, end) = (start.as_primitive::<Int64Type>(), end.as_primitive::<Int64Type>());
        let packets = packets.as_primitive::<Int64Type>();
        let bytes = bytes.as_primitive::<Int64Type>();
        let exporter = text_column(column("exporter_addr")?)?;
        let exporter = texts(&exporter);
        let domain = int64("observation_domain_id")?;
        let domain = domain.as_primitive::<Int64Type>();
        let proto = int32("proto")?;
        let proto = proto.as_primitive::<Int32Type>();
        let (src, dst) = (text_column(column("src_addr")?)?, text_column(column("dst_addr")?)?);
        let (src, dst) = (texts(&src), texts(&dst));
        let (sport, dport) = (int32("src_port")?, int32("dst_port")?);
        let (sport, dport) = (sport.as_primitive::<Int32Type>(), dport.as_primitive::<Int32Type>());
        let flags = int32("tcp_flags")?;
        let flags = flags.as_primitive::<Int32Type>();

        // Exporters come in long runs: remember the last one instead of hashing each row.
        let mut last_exporter: Option<u32> = None;
        for i in 0..batch.num_rows() {
            let (s, d) = (src.value(i), dst.value(i));
            let (sp, dp) = (sport.value(i), dport.value(i));
            // keyed: src_addr < dst_addr OR (src_addr = dst_addr AND src_port <= dst_port)
            let from_a = match s.cmp(d) {
                Ordering::Less => true,
                Ordering::Equal => sp <= dp,
                Ordering::Greater => false,
            };
            let (sid, did) = (self.addrs.id(s)?, self.addrs.id(d)?);
            let key = if from_a {
                Key { a_addr: sid, b_addr: did, a_port: sp, b_port: dp, proto: proto.value(i) }
            } else {
                Key { a_addr: did, b_addr: sid, a_port: dp, b_port: sp, proto: proto.value(i) }
            };
            let e = exporter.value(i);
            let exporter_id = match last_exporter {
                Some(id) if self.addrs.text(id) == e => id,
                _ => {
                    let id = self.addrs.id(e)?;
                    last_exporter = Some(id);
                    id
                }
            };
            let rec = Rec {
                start: start.value(i),
                end: end.value(i),
                packets: packets.value(i),
                bytes: bytes.value(i),
                domain: domain.value(i),
                exporter: exporter_id,
                flags: flags.value(i) as u16,
                from_a,
            };
            let next = self.keys.len();
            let group = *self.groups.entry(key).or_insert_with(|| next as u32);
            if group as usize == next {
                if next > u32::MAX as usize - 1 {
                    return Err(DataFusionError::ResourcesExhausted(
                        "sessions: more than 2^32 connections".into(),
                    ));
                }
                self.keys.push(key);
            }
            self.recs.push(rec);
            self.group_of.push(group);
        }
        self.reservation.try_resize(self.memory())
    }

    /// Group the records by key (a counting sort) and hand them to the [`Emitter`].
    pub(super) fn finish(self, schema: &SchemaRef, batch_size: usize) -> DfResult<Emitter> {
        let Builder { keys, recs, group_of, addrs, reservation, .. } = self;
        // `order[first[g]..first[g + 1]]` are the record numbers of group g.
        let mut first = vec![0u32; keys.len() + 1];
        for &g in &group_of {
            first[g as usize + 1] += 1;
        }
        for g in 0..keys.len() {
            first[g + 1] += first[g];
        }
        let mut fill = first.clone();
        let mut order = vec![0u32; recs.len()];
        for (i, &g) in group_of.iter().enumerate() {
            order[fill[g as usize] as usize] = i as u32;
            fill[g as usize] += 1;
        }
        drop((fill, group_of));
        reservation.try_grow(order.len() * 4 + first.len() * 4)?;
        Ok(Emitter {
            keys,
            recs,
            order,
            first,
            addrs,
            next: 0,
            out: Output::new(schema, batch_size.max(1)),
            _reservation: reservation,
        })
    }
}

/// Turns the grouped records into sessions one output batch at a time, so the sessions are
/// never all in memory at once (they were 660 MB at 10 M flows, and their fresh pages cost
/// more than building them).
pub(super) struct Emitter {
    keys: Vec<Key>,
    recs: Vec<Rec>,
    order: Vec<u32>,
    first: Vec<u32>,
    addrs: Interner,
    next: usize,
    out: Output,
    _reservation: MemoryReservation,
}

impl Emitter {
    fn group(&mut self, g: usize) -> DfResult<()> {
        let (key, recs, addrs) = (&self.keys[g], &self.recs, &self.addrs);
        let members = &self.order[self.first[g] as usize..self.first[g + 1] as usize];
        match members {
            // simple: at most one record per direction and no silence above the gap.
            [x] => self.out.push(addrs, key, Conn::single(&recs[*x as usize])),
            [x, y] if one_each_way(&recs[*x as usize], &recs[*y as usize]) => {
                self.out.push(addrs, key, Conn::pair(&recs[*x as usize], &recs[*y as usize]))
            }
            _ => {
                let many: Vec<Rec> = members.iter().map(|&i| recs[i as usize]).collect();
                for s in split(many, key.proto) {
                    self.out.push(addrs, key, s)?;
                }
                Ok(())
            }
        }
    }
}

impl Iterator for Emitter {
    type Item = DfResult<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if !self.out.batches.is_empty() {
                return Some(Ok(self.out.batches.remove(0)));
            }
            if self.next == self.keys.len() {
                if let Err(e) = self.out.flush() {
                    return Some(Err(e));
                }
                return (!self.out.batches.is_empty()).then(|| Ok(self.out.batches.remove(0)));
            }
            let g = self.next;
            self.next += 1;
            if let Err(e) = self.group(g) {
                return Some(Err(e));
            }
        }
    }
}

/// Output columns being built (`roles` and the final SELECT).
pub(super) struct Output {
    schema: SchemaRef,
    batch_size: usize,
    batches: Vec<RecordBatch>,
    client_addr: StringBuilder,
    client_port: Vec<i32>,
    server_addr: StringBuilder,
    server_port: Vec<i32>,
    proto: Vec<i32>,
    start: Vec<i64>,
    end: Vec<i64>,
    packets_c2s: Vec<i64>,
    bytes_c2s: Vec<i64>,
    packets_s2c: Vec<i64>,
    bytes_s2c: Vec<i64>,
    records: Vec<i64>,
    exporters: StringBuilder,
    exporter_text: String,
}

impl Output {
    fn new(schema: &SchemaRef, batch_size: usize) -> Self {
        Output {
            schema: Arc::clone(schema),
            batch_size,
            batches: Vec::new(),
            client_addr: StringBuilder::new(),
            client_port: Vec::new(),
            server_addr: StringBuilder::new(),
            server_port: Vec::new(),
            proto: Vec::new(),
            start: Vec::new(),
            end: Vec::new(),
            packets_c2s: Vec::new(),
            bytes_c2s: Vec::new(),
            packets_s2c: Vec::new(),
            bytes_s2c: Vec::new(),
            records: Vec::new(),
            exporters: StringBuilder::new(),
            exporter_text: String::new(),
        }
    }

    fn push(&mut self, addrs: &Interner, k: &Key, mut s: Conn) -> DfResult<()> {
        let (a_service, b_service) = (is_service(k.a_port), is_service(k.b_port));
        let a_is_client = match (a_service, b_service) {
            (false, true) => true,
            (true, false) => false,
            (true, true) if k.a_port != k.b_port => k.b_port < k.a_port,
            _ => s.a_sent_first,
        };
        let (ca, cp, sa, sp, pc, bc, ps, bs) = if a_is_client {
            (k.a_addr, k.a_port, k.b_addr, k.b_port, s.packets_a, s.bytes_a, s.packets_b, s.bytes_b)
        } else {
            (k.b_addr, k.b_port, k.a_addr, k.a_port, s.packets_b, s.bytes_b, s.packets_a, s.bytes_a)
        };
        self.client_addr.append_value(addrs.text(ca));
        self.client_port.push(cp);
        self.server_addr.append_value(addrs.text(sa));
        self.server_port.push(sp);
        self.proto.push(k.proto);
        self.start.push(s.start);
        self.end.push(s.end);
        self.packets_c2s.push(pc);
        self.bytes_c2s.push(bc);
        self.packets_s2c.push(ps);
        self.bytes_s2c.push(bs);
        self.records.push(s.records);
        // string_agg(DISTINCT exporter_addr, ',' ORDER BY exporter_addr)
        self.exporter_text.clear();
        if s.exporters.len() > 1 {
            s.exporters.sort_by(|x, y| addrs.text(*x).cmp(addrs.text(*y)));
            s.exporters.dedup();
        }
        for (i, e) in s.exporters.iter().enumerate() {
            if i > 0 {
                self.exporter_text.push(',');
            }
            self.exporter_text.push_str(addrs.text(*e));
        }
        self.exporters.append_value(&self.exporter_text);
        if self.records.len() >= self.batch_size {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> DfResult<()> {
        if self.records.is_empty() {
            return Ok(());
        }
        let i32s = |v: &mut Vec<i32>| -> ArrayRef { Arc::new(Int32Array::from(std::mem::take(v))) };
        let i64s = |v: &mut Vec<i64>| -> ArrayRef { Arc::new(Int64Array::from(std::mem::take(v))) };
        let built: [(&str, ArrayRef); 13] = [
            ("client_addr", Arc::new(self.client_addr.finish())),
            ("client_port", i32s(&mut self.client_port)),
            ("server_addr", Arc::new(self.server_addr.finish())),
            ("server_port", i32s(&mut self.server_port)),
            ("proto", i32s(&mut self.proto)),
            ("start_ms", i64s(&mut self.start)),
            ("end_ms", i64s(&mut self.end)),
            ("packets_c2s", i64s(&mut self.packets_c2s)),
            ("bytes_c2s", i64s(&mut self.bytes_c2s)),
            ("packets_s2c", i64s(&mut self.packets_s2c)),
            ("bytes_s2c", i64s(&mut self.bytes_s2c)),
            ("records", i64s(&mut self.records)),
            ("exporters", Arc::new(self.exporters.finish())),
        ];
        // Columns by the SQL view's names, in its order and with its types (e.g. Utf8View
        // strings in some configurations).
        let columns = self
            .schema
            .fields()
            .iter()
            .map(|f| {
                let (_, c) = built.iter().find(|(n, _)| n == f.name()).ok_or_else(|| {
                    DataFusionError::Internal(format!("sessions: no output column {}", f.name()))
                })?;
                if c.data_type() == f.data_type() {
                    Ok(Arc::clone(c))
                } else {
                    Ok(cast(c, f.data_type())?)
                }
            })
            .collect::<DfResult<Vec<_>>>()?;
        self.batches.push(RecordBatch::try_new(Arc::clone(&self.schema), columns)?);
        Ok(())
    }
}
