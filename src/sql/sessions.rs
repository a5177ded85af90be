//! The `sessions` table computed natively: one streaming pass over `flows` into a hash table
//! keyed by connection, instead of the self-join and window functions of `queries/sessions.sql`.
//!
//! `queries/sessions.sql` stays the definition (portable to DuckDB, Spark, …) and the golden:
//! it is registered as `sessions_sql` next to this table, and the tests hold the two equal row
//! for row (fixtures, lab stores, generated stores). Every rule below is the SQL's, step for
//! step; the comments name the CTE each step reproduces.
//!
//! Memory: one entry per connection key (~130 bytes) plus the records of keys that have more
//! than one record in a direction (split, duplicated or reused connections), each address
//! text once. It is reserved in DataFusion's memory pool as it grows, so a store too large for
//! `--memory-limit` fails with a clear error instead of taking the machine down.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Int32Array, Int64Array, RecordBatch, StringArray, StringBuilder,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int32Type, Int64Type, SchemaRef};
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{DataFusionError, Result as DfResult, project_schema};
use datafusion::execution::TaskContext;
use datafusion::execution::memory_pool::{MemoryConsumer, MemoryReservation};
use datafusion::logical_expr::{Expr, TableType};
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::coalesce_partitions::CoalescePartitionsExec;
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::statistics::{StatisticsArgs, StatisticsContext};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, ExecutionPlanProperties, Partitioning,
    PlanProperties, SendableRecordBatchStream,
};
use futures::{StreamExt, TryStreamExt};
use hashbrown::HashMap;

/// A silence longer than this (ms) between records of one key starts a new session (rule b),
/// unless the later record is TCP with exported flags and no SYN.
pub const SPLIT_GAP_MS: i64 = 60_000;

const TCP_SYN: u16 = 0x02;

/// Ports that make an endpoint the server (rule a); the same list as queries/sessions.sql.
const SERVICE_PORTS: &[i32] =
    &[1433, 1521, 2049, 3306, 3389, 5432, 5900, 5985, 5986, 6379, 8080, 8443, 9200, 27017];

/// Columns of `flows` the sessions are built from, in the order the builder reads them.
pub const INPUT_COLUMNS: &[&str] = &[
    "flow_start_ms",
    "flow_end_ms",
    "packets",
    "bytes",
    "exporter_addr",
    "observation_domain_id",
    "proto",
    "src_addr",
    "dst_addr",
    "src_port",
    "dst_port",
    "tcp_flags",
];

fn is_service(port: i32) -> bool {
    (1..=1023).contains(&port) || SERVICE_PORTS.contains(&port)
}

/// `sessions` as a table: scans `flows` (only the columns above) and builds the sessions.
#[derive(Debug)]
pub struct SessionsTable {
    flows: Arc<dyn TableProvider>,
    /// The output schema, taken from the SQL view so both have the same column types.
    schema: SchemaRef,
}

impl SessionsTable {
    /// Sessions over `flows`, with the output `schema` of queries/sessions.sql.
    pub fn new(flows: Arc<dyn TableProvider>, schema: SchemaRef) -> Self {
        SessionsTable { flows, schema }
    }
}

#[async_trait::async_trait]
impl TableProvider for SessionsTable {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::View
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        let flows_schema = self.flows.schema();
        let columns = INPUT_COLUMNS
            .iter()
            .map(|c| flows_schema.index_of(c))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let input = self.flows.scan(state, Some(&columns), &[], None).await?;
        Ok(Arc::new(SessionsExec::new(input, Arc::clone(&self.schema), projection.cloned())?))
    }
}

/// The physical operator: reads every partition of its input, emits the sessions at the end.
#[derive(Debug)]
pub struct SessionsExec {
    input: Arc<dyn ExecutionPlan>,
    schema: SchemaRef,
    projection: Option<Vec<usize>>,
    properties: Arc<PlanProperties>,
}

impl SessionsExec {
    fn new(
        input: Arc<dyn ExecutionPlan>,
        schema: SchemaRef,
        projection: Option<Vec<usize>>,
    ) -> DfResult<Self> {
        let projected = project_schema(&schema, projection.as_ref())?;
        let properties = Arc::new(PlanProperties::new(
            EquivalenceProperties::new(projected),
            Partitioning::UnknownPartitioning(1),
            EmissionType::Final,
            Boundedness::Bounded,
        ));
        Ok(SessionsExec { input, schema, projection, properties })
    }
}

impl DisplayAs for SessionsExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "SessionsExec: gap={SPLIT_GAP_MS}ms")
    }
}

impl ExecutionPlan for SessionsExec {
    fn name(&self) -> &str {
        "SessionsExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> DfResult<TreeNodeRecursion>,
    ) -> DfResult<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        let input = children.into_iter().next().ok_or_else(|| {
            DataFusionError::Internal("SessionsExec takes exactly one input".into())
        })?;
        Ok(Arc::new(SessionsExec::new(input, Arc::clone(&self.schema), self.projection.clone())?))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> DfResult<SendableRecordBatchStream> {
        if partition != 0 {
            return Err(DataFusionError::Internal(format!(
                "SessionsExec has one partition, asked for {partition}"
            )));
        }
        // Every input partition is decoded on its own task; the table is built from their union.
        let input: Arc<dyn ExecutionPlan> =
            if self.input.output_partitioning().partition_count() > 1 {
                Arc::new(CoalescePartitionsExec::new(Arc::clone(&self.input)))
            } else {
                Arc::clone(&self.input)
            };
        let rows_hint = StatisticsContext::new()
            .compute(self.input.as_ref(), &StatisticsArgs::new())
            .ok()
            .and_then(|st| st.num_rows.get_value().copied());
        let mut stream = input.execute(0, Arc::clone(&context))?;
        let reservation = MemoryConsumer::new("SessionsExec").register(context.memory_pool());
        let schema = Arc::clone(&self.schema);
        let projection = self.projection.clone();
        let batch_size = context.session_config().batch_size();
        let out_schema = project_schema(&schema, projection.as_ref())?;
        let work = async move {
            let mut builder = Builder::new(reservation, rows_hint);
            while let Some(batch) = stream.next().await {
                builder.push(&batch?)?;
            }
            builder.finish(&schema, batch_size)
        };
        let batches = futures::stream::once(work)
            .map_ok(move |emitter| {
                let projection = projection.clone();
                futures::stream::iter(emitter.map(move |b| match &projection {
                    None => b,
                    Some(p) => Ok(b?.project(p)?),
                }))
            })
            .try_flatten();
        Ok(Box::pin(RecordBatchStreamAdapter::new(out_schema, batches)))
    }
}

/// A connection key: endpoint a is the one that sorts first (address text, then port).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    a_addr: u32,
    b_addr: u32,
    a_port: i32,
    b_port: i32,
    proto: i32,
}

/// One flow record of a key.
#[derive(Debug, Clone, Copy)]
struct Rec {
    start: i64,
    end: i64,
    packets: i64,
    bytes: i64,
    domain: i64,
    exporter: u32,
    /// TCP flags as stored (0: not exported).
    flags: u16,
    /// The record was sent by endpoint a (`src_is_a`).
    from_a: bool,
}

impl Rec {
    /// Ordering of "the earliest record's sender": start, then a before b (`start * 2 + bit`).
    fn first_key(&self) -> (i64, bool) {
        (self.start, !self.from_a)
    }
}

/// Address and exporter texts, each stored once and named by a number.
#[derive(Default)]
struct Interner {
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

/// Text columns as they may arrive: Utf8 or Utf8View (others are cast to Utf8 first).
enum Texts<'a> {
    Plain(&'a StringArray),
    View(&'a datafusion::arrow::array::StringViewArray),
}

impl Texts<'_> {
    fn value(&self, i: usize) -> &str {
        match self {
            Texts::Plain(a) => a.value(i),
            Texts::View(a) => a.value(i),
        }
    }
}

fn text_column(c: &ArrayRef) -> DfResult<ArrayRef> {
    Ok(match c.data_type() {
        DataType::Utf8 | DataType::Utf8View => Arc::clone(c),
        _ => cast(c, &DataType::Utf8)?,
    })
}

fn texts(c: &ArrayRef) -> Texts<'_> {
    match c.data_type() {
        DataType::Utf8View => Texts::View(c.as_string_view()),
        _ => Texts::Plain(c.as_string::<i32>()),
    }
}

/// Accumulates the flow records, then groups them by key and turns them into sessions.
///
/// Flat arrays rather than a map of per-key vectors: the map holds only key → group number
/// (24 bytes an entry), the records sit in one array in arrival order. A map of ~130-byte
/// entries spent most of its time in page faults as it doubled (perf: 45 % `clear_page`).
struct Builder {
    groups: HashMap<Key, u32>,
    keys: Vec<Key>,
    recs: Vec<Rec>,
    group_of: Vec<u32>,
    addrs: Interner,
    reservation: MemoryReservation,
}

impl Builder {
    fn new(reservation: MemoryReservation, rows_hint: Option<usize>) -> Self {
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

    fn push(&mut self, batch: &RecordBatch) -> DfResult<()> {
        if batch.num_columns() != INPUT_COLUMNS.len() {
            return Err(DataFusionError::Internal(format!(
                "sessions: expected {} input columns, got {}",
                INPUT_COLUMNS.len(),
                batch.num_columns()
            )));
        }
        let int64 = |i: usize| cast(batch.column(i), &DataType::Int64);
        let int32 = |i: usize| cast(batch.column(i), &DataType::Int32);
        let (start, end, packets, bytes) = (int64(0)?, int64(1)?, int64(2)?, int64(3)?);
        let (start, end) = (start.as_primitive::<Int64Type>(), end.as_primitive::<Int64Type>());
        let packets = packets.as_primitive::<Int64Type>();
        let bytes = bytes.as_primitive::<Int64Type>();
        let exporter = text_column(batch.column(4))?;
        let exporter = texts(&exporter);
        let domain = int64(5)?;
        let domain = domain.as_primitive::<Int64Type>();
        let proto = int32(6)?;
        let proto = proto.as_primitive::<Int32Type>();
        let (src, dst) = (text_column(batch.column(7))?, text_column(batch.column(8))?);
        let (src, dst) = (texts(&src), texts(&dst));
        let (sport, dport) = (int32(9)?, int32(10)?);
        let (sport, dport) = (sport.as_primitive::<Int32Type>(), dport.as_primitive::<Int32Type>());
        let flags = int32(11)?;
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
    fn finish(self, schema: &SchemaRef, batch_size: usize) -> DfResult<Emitter> {
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
struct Emitter {
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

/// Two records that make one session without rules (b) and (c), as the SQL's `simple`: one per
/// direction, and the later start no more than the gap after the earlier end.
fn one_each_way(x: &Rec, y: &Rec) -> bool {
    x.from_a != y.from_a && x.start.max(y.start) <= x.end.min(y.end).saturating_add(SPLIT_GAP_MS)
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

/// One finished session of a key, still in a/b terms (`all_sessions`).
#[derive(Debug, Default)]
struct Conn {
    a_sent_first: bool,
    start: i64,
    end: i64,
    packets_a: i64,
    bytes_a: i64,
    packets_b: i64,
    bytes_b: i64,
    records: i64,
    exporters: Vec<u32>,
}

impl Conn {
    fn single(r: &Rec) -> Conn {
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

    fn pair(x: &Rec, y: &Rec) -> Conn {
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
type Observer = (bool, u32, i64);

/// Rules (b) and (c) for a key with several records per direction or a long silence: the
/// `gaps`, `numbered`, `per_observer`, `per_direction` and `complex_sessions` steps.
fn split(mut recs: Vec<Rec>, proto: i32) -> Vec<Conn> {
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

/// Output columns being built (`roles` and the final SELECT).
struct Output {
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
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.client_addr.finish()),
            i32s(&mut self.client_port),
            Arc::new(self.server_addr.finish()),
            i32s(&mut self.server_port),
            i32s(&mut self.proto),
            i64s(&mut self.start),
            i64s(&mut self.end),
            i64s(&mut self.packets_c2s),
            i64s(&mut self.bytes_c2s),
            i64s(&mut self.packets_s2c),
            i64s(&mut self.bytes_s2c),
            i64s(&mut self.records),
            Arc::new(self.exporters.finish()),
        ];
        // The SQL view's types (e.g. Utf8View strings in some configurations) win.
        let columns = columns
            .into_iter()
            .zip(self.schema.fields())
            .map(
                |(c, f)| {
                    if c.data_type() == f.data_type() { Ok(c) } else { cast(&c, f.data_type()) }
                },
            )
            .collect::<std::result::Result<Vec<_>, _>>()?;
        self.batches.push(RecordBatch::try_new(Arc::clone(&self.schema), columns)?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::datatypes::{Field, Schema};
    use datafusion::arrow::util::pretty::pretty_format_batches;
    use datafusion::catalog::MemTable;
    use datafusion::prelude::SessionContext;
    use proptest::prelude::*;

    use super::*;

    /// (exporter, domain, src, sport, dst, dport, proto, start, duration, packets, bytes, flags)
    type Row = (u8, u8, u8, u8, u8, u8, u8, i64, i64, i64, i64, u8);

    const ADDRS: &[&str] = &["10.0.0.1", "10.0.0.2", "10.0.0.10", "2001:db8::1"];
    const PORTS: &[i32] = &[22, 161, 3389, 40000, 40001, 5985];
    const EXPORTERS: &[&str] = &["192.0.2.1", "192.0.2.10", "192.0.2.9"];
    /// Not exported, ACK, SYN+ACK, SYN, PSH+ACK, FIN+ACK.
    const FLAGS: &[i32] = &[0, 0x10, 0x12, 0x02, 0x18, 0x11];

    fn flows(rows: &[Row]) -> RecordBatch {
        let schema = Arc::new(Schema::new(
            INPUT_COLUMNS
                .iter()
                .map(|c| {
                    let t = match *c {
                        "exporter_addr" | "src_addr" | "dst_addr" => DataType::Utf8,
                        "proto" | "src_port" | "dst_port" | "tcp_flags" => DataType::Int32,
                        _ => DataType::Int64,
                    };
                    Field::new(*c, t, false)
                })
                .collect::<Vec<_>>(),
        ));
        let pick = |v: &[&'static str], i: u8| v[i as usize % v.len()];
        let port = |i: u8| PORTS[i as usize % PORTS.len()];
        let col64 = |f: &dyn Fn(&Row) -> i64| -> ArrayRef {
            Arc::new(Int64Array::from(rows.iter().map(f).collect::<Vec<_>>()))
        };
        let col32 = |f: &dyn Fn(&Row) -> i32| -> ArrayRef {
            Arc::new(Int32Array::from(rows.iter().map(f).collect::<Vec<_>>()))
        };
        let text = |f: &dyn Fn(&Row) -> &'static str| -> ArrayRef {
            Arc::new(StringArray::from(rows.iter().map(f).collect::<Vec<_>>()))
        };
        RecordBatch::try_new(
            schema,
            vec![
                col64(&|r| r.7),
                col64(&|r| r.7 + r.8),
                col64(&|r| r.9),
                col64(&|r| r.10),
                text(&|r| pick(EXPORTERS, r.0)),
                col64(&|r| i64::from(r.1 % 2)),
                col32(&|r| if r.6 % 3 == 0 { 17 } else { 6 }),
                text(&|r| pick(ADDRS, r.2)),
                text(&|r| pick(ADDRS, r.4)),
                col32(&|r| port(r.3)),
                col32(&|r| port(r.5)),
                col32(&|r| FLAGS[r.11 as usize % FLAGS.len()]),
            ],
        )
        .unwrap()
    }

    async fn both(batches: Vec<RecordBatch>, partitions: usize) -> (String, String) {
        let ctx = SessionContext::new_with_config(
            datafusion::prelude::SessionConfig::new().with_target_partitions(partitions),
        );
        let schema = batches[0].schema();
        // Spread over partitions so the operator sees several input streams.
        let parts: Vec<Vec<RecordBatch>> = (0..partitions)
            .map(|p| batches.iter().skip(p).step_by(partitions).cloned().collect())
            .collect();
        ctx.register_table("flows", Arc::new(MemTable::try_new(schema, parts).unwrap())).unwrap();
        crate::sql::context::register_sessions(&ctx, true).await.unwrap();
        let order = "ORDER BY client_addr, client_port, server_addr, server_port, proto, start_ms, \
                     end_ms, records, exporters, packets_c2s, bytes_c2s, packets_s2c, bytes_s2c";
        let mut out = Vec::new();
        for t in ["sessions", "sessions_sql"] {
            let df = ctx.sql(&format!("SELECT * FROM {t} {order}")).await.unwrap();
            out.push(pretty_format_batches(&df.collect().await.unwrap()).unwrap().to_string());
        }
        (out.remove(0), out.remove(0))
    }

    fn rows() -> impl Strategy<Value = Vec<Row>> {
        // Few addresses, ports and exporters so keys collide: splits, duplicates, reuse, ties.
        // Mostly two addresses and ports 22/40000, so the same 5-tuple and observer recur.
        let addr = || prop_oneof![3 => 0u8..2, 1 => 0u8..4];
        let port = || prop_oneof![3 => prop::sample::select(vec![0u8, 3]), 1 => 0u8..6];
        let row = (
            0u8..3,
            0u8..2,
            addr(),
            port(),
            addr(),
            port(),
            0u8..3,
            // Times on a coarse grid: equal starts and ends (ties) are frequent.
            prop_oneof![(0i64..8).prop_map(|k| k * 1_000), (0i64..400).prop_map(|k| k * 1_000)],
            prop_oneof![Just(0i64), (0i64..4).prop_map(|k| k * 1_000), 0i64..200_000],
            1i64..50,
            40i64..9_000,
            0u8..6,
        );
        prop::collection::vec(row, 1..60)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        /// The native table equals queries/sessions.sql row for row on generated flows.
        #[test]
        fn native_sessions_equal_the_sql_definition(rows in rows(), partitions in 1usize..4) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all()
                .thread_stack_size(8 << 20).build().unwrap();
            let batches: Vec<RecordBatch> = rows.chunks(7).map(flows).collect();
            let (native, sql) = rt.block_on(both(batches, partitions));
            prop_assert_eq!(native, sql);
        }
    }

    #[test]
    fn projection_and_filters_over_the_native_table() {
        let rows: Vec<Row> = vec![
            (0, 0, 0, 3, 1, 0, 1, 1_000, 5_000, 10, 900, 2),
            (0, 0, 1, 0, 0, 3, 1, 1_001, 5_000, 12, 3_000, 2),
            (1, 0, 0, 3, 1, 0, 1, 1_000, 5_000, 10, 900, 2),
            (0, 0, 0, 3, 1, 0, 1, 200_000, 5_000, 3, 200, 3),
            // 10.0.0.1:40000 → 10.0.0.10:22: quiet 95 s, then ACK-only records: one session.
            (0, 0, 0, 3, 2, 0, 1, 1_500, 1_000, 4, 400, 2),
            (0, 0, 0, 3, 2, 0, 1, 97_000, 1_000, 2, 200, 1),
            (0, 0, 2, 0, 0, 3, 1, 97_001, 1_000, 2, 300, 1),
        ];
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let ctx = SessionContext::new();
            let b = flows(&rows);
            ctx.register_table(
                "flows",
                Arc::new(MemTable::try_new(b.schema(), vec![vec![b]]).unwrap()),
            )
            .unwrap();
            crate::sql::context::register_sessions(&ctx, true).await.unwrap();
            let q = "SELECT server_port, records, packets_c2s, exporters FROM sessions \
                     WHERE client_addr = '10.0.0.1' ORDER BY start_ms";
            let got = ctx.sql(q).await.unwrap().collect().await.unwrap();
            let text = pretty_format_batches(&got).unwrap().to_string();
            // Two exporters saw the first connection (largest total counts once); 199 s later
            // the same 5-tuple is a new session.
            // (A SYN record 199 s later is a new connection on the same 5-tuple; an ACK-only one
            // 95 s later continues the quiet one.)
            let want = "+-------------+---------+-------------+----------------------+\n\
                        | server_port | records | packets_c2s | exporters            |\n\
                        +-------------+---------+-------------+----------------------+\n\
                        | 22          | 3       | 10          | 192.0.2.1,192.0.2.10 |\n\
                        | 22          | 3       | 6           | 192.0.2.1            |\n\
                        | 22          | 1       | 3           | 192.0.2.1            |\n\
                        +-------------+---------+-------------+----------------------+";
            assert_eq!(text, want);
            let plan = ctx.sql(&format!("EXPLAIN {q}")).await.unwrap().collect().await.unwrap();
            assert!(pretty_format_batches(&plan).unwrap().to_string().contains("SessionsExec"));
        });
    }
}
