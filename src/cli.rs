//! Command-line interface (clap derive): raw arguments only; validation lives in `config.rs`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const EXIT_CODES: &str = "Exit codes: 0 success; 1 unexpected failure; 2 invalid arguments or configuration; \
3 bad input (corrupt or truncated pcap: flows before the bad point are still written; bad Zeek log lines: every other line is written; \
unreadable store files or history days: `pivots` and `report` write everything else first); \
4 I/O failure (data folder, Parquet, socket); 5 query failed (SQL error, memory limit).";

/// The command line: global flags and one subcommand.
#[derive(Debug, Parser)]
#[command(name = "pivotflow", version, about = "Find network pivots (lateral movement) in NetFlow v5/v9/IPFIX data", after_help = EXIT_CODES)]
pub struct Cli {
    /// More log output on stderr (info is the default; -v debug for pivotflow, -vv debug, -vvv trace).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only warnings and errors on stderr.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Collect NetFlow v5/v9/IPFIX (UDP or pcap files) into hourly Parquet files.
    #[command(after_help = EXIT_CODES)]
    Capture(Box<CaptureArgs>),
    /// Run DataFusion SQL over the flow store (table `flows`, view `sessions`).
    #[command(after_help = EXIT_CODES)]
    Sql(SqlArgs),
    /// Find pivot chains (A→B→C over SSH/RDP/WinRM) and write GraphML + JSON.
    #[command(after_help = EXIT_CODES)]
    Pivots(PivotsArgs),
    /// Nightly: pivots over a day into REPORTS/YYYY-MM-DD/ (GraphML, JSON, summary.md).
    #[command(after_help = EXIT_CODES)]
    Report(ReportArgs),
    /// Mark an incident of a report known-good: its pattern is routine from the next night on
    /// (`--undo` withdraws it, `--list` shows them all).
    #[command(after_help = EXIT_CODES)]
    Ack(AckArgs),
    /// Build or repair the admin layout (`<data>/.admin/`) of an existing store: idempotent,
    /// resumable; only missing, stale or narrower pieces are written.
    #[command(after_help = EXIT_CODES)]
    Index(IndexArgs),
    /// Generate synthetic export traffic (benchmarks, sample data) into a pcap.
    Synth(SynthArgs),
    /// Print the flow schema (columns, types, meaning) as Markdown.
    Schema,
    /// Run a Ballista scheduler or executor (built with --features cluster); `sql --cluster`
    /// then runs queries on it.
    #[command(subcommand, after_help = EXIT_CODES)]
    Cluster(ClusterCommand),
}

/// `pivotflow index`.
#[derive(Debug, Clone, Args)]
pub struct IndexArgs {
    /// Root of the flow store.
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// Keep the flows of these services (NAME=PROTO/PORT[,PORT…]; repeatable), replacing the
    /// default SSH, RDP and WinRM — the same list `pivots --service` is given.
    #[arg(long, value_name = "NAME=PROTO/PORT")]
    pub service: Vec<String>,
}

/// `pivotflow cluster scheduler|executor`.
#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    /// The scheduler: plans jobs and hands tasks to executors. No authentication: bind to a
    /// private address and firewall the port.
    Scheduler {
        /// Address to listen on (gRPC).
        #[arg(long, default_value = "127.0.0.1:50050", value_name = "ADDR:PORT")]
        bind: SocketAddr,
    },
    /// An executor: runs tasks for the scheduler; reads the store at the same path as clients.
    Executor {
        /// The scheduler's address.
        #[arg(long, default_value = "127.0.0.1:50050", value_name = "ADDR:PORT")]
        scheduler: SocketAddr,
        /// Arrow Flight address (results, shuffle data).
        #[arg(long, default_value = "127.0.0.1:50051", value_name = "ADDR:PORT")]
        bind: SocketAddr,
        /// gRPC port for the scheduler's calls, on the --bind host.
        #[arg(long, default_value_t = 50052)]
        grpc_port: u16,
        /// Tasks run at once (default: cores).
        #[arg(long)]
        slots: Option<usize>,
    },
}

/// Ready-made settings for `synth --scenario`; any option given on the command line wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SynthScenario {
    /// The shipped sample data: 2 000 background flows, 300 hosts, 2 exporters (5 % duplicates,
    /// first template after 2 datagrams), 70 minutes from 2026-11-27T10:00Z, 3 chains, seed 7.
    Sample,
}

/// `pivotflow synth` as typed (validated by `config::synth`).
#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Start from a ready-made scenario (options given explicitly override it).
    #[arg(long, value_enum)]
    pub scenario: Option<SynthScenario>,
    /// Background flow records to generate (both directions count) [default: 10000].
    #[arg(long)]
    pub flows: Option<u64>,
    /// Export format.
    #[arg(long, value_enum, default_value = "ipfix")]
    pub format: crate::synth::encode::ExportFormat,
    /// Write the export datagrams to this pcap file.
    #[arg(long, value_name = "FILE", required_unless_present_any = ["parquet", "send", "packets"], conflicts_with_all = ["parquet", "send", "packets"])]
    pub pcap: Option<PathBuf>,
    /// Write the traffic's raw packets (a tap's view: Ethernet/IP/TCP-UDP, snaplen 128, no
    /// duplicates) to this pcap file, for `capture --packets`.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["parquet", "send"])]
    pub packets: Option<PathBuf>,
    /// Send the export datagrams over UDP to a collector (load test), paced by --rate.
    #[arg(long, value_name = "ADDR:PORT", conflicts_with = "parquet")]
    pub send: Option<SocketAddr>,
    /// With --send: flows per second (0 = as fast as possible).
    #[arg(long, default_value_t = 0)]
    pub rate: u64,
    /// Write the flows straight into a flow store (capture's exact schema and layout), for
    /// building large batch data sets quickly. No export encoding: --loss/--reorder do not apply.
    #[arg(long, value_name = "DIR")]
    pub parquet: Option<PathBuf>,
    /// Random seed: the same seed and options give the same bytes [default: 1].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Number of distinct hosts (workstations, servers, DCs, jump hosts, admin stations)
    /// [default: 20000].
    #[arg(long)]
    pub hosts: Option<u32>,
    /// Number of exporters (each with its own address, uptime and sequence numbers) [default: 2].
    #[arg(long)]
    pub exporters: Option<u32>,
    /// Start of the generated period (RFC 3339) [default: 2026-11-27T10:00:00Z].
    #[arg(long)]
    pub start: Option<String>,
    /// Time span the flows cover; the rate follows a day/night rhythm [default: 50m].
    #[arg(long)]
    pub span: Option<String>,
    /// Share of IPv6 connections (ignored for v5, which cannot carry IPv6).
    #[arg(long, default_value_t = 0.1)]
    pub ipv6_share: f64,
    /// Inject this many pivot chains (2–5 hops), plus a cycle and three decoys [default: 0].
    #[arg(long)]
    pub chains: Option<usize>,
    /// Write the ground truth (injected chains, decoys, benign admin chains, trusted CIDRs) as
    /// JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
    /// Start the exporters' uptime this many ms before the 32-bit wrap.
    #[arg(long)]
    pub uptime_before_wrap_ms: Option<u32>,
    /// Exporter active timeout: longer connections are reported in several records.
    #[arg(long, default_value = "30m")]
    pub active_timeout: String,
    /// Share of records (0–1) that a second exporter reports too [default: 0].
    #[arg(long)]
    pub duplicates: Option<f64>,
    /// Share of export datagrams (0–1) lost on the way; sequence numbers show the gap.
    #[arg(long, default_value_t = 0.0)]
    pub loss: f64,
    /// Share of export datagrams (0–1) delivered after the exporter's next datagram.
    #[arg(long, default_value_t = 0.0)]
    pub reorder: f64,
    /// v9/IPFIX: resend templates every N datagrams.
    #[arg(long, default_value_t = 20)]
    pub template_every: u32,
    /// v9/IPFIX: also resend templates when this much export time passed (e.g. 60s).
    #[arg(long)]
    pub template_interval: Option<String>,
    /// v9/IPFIX: each exporter sends this many data datagrams before its first template
    /// [default: 0].
    #[arg(long)]
    pub first_template_after: Option<u32>,
    /// Admin work: episodes (admin station → jump host → servers) per admin station per
    /// activity-weighted hour.
    #[arg(long, default_value_t = 0.5)]
    pub admin_rate: f64,
    /// Number of jump hosts (default: 2 + 1 per 5 000 hosts); 1 makes a single busy bastion.
    #[arg(long)]
    pub jump_hosts: Option<u32>,
    /// Several days of one network with stable routines (teams, jump hosts, automation, CI,
    /// DBAs, git over SSH, backups; weekday/weekend), routine change (new admins, replaced
    /// stations and bastions, new servers, maintenance, holidays) and attacks from
    /// --attacks-from on, written with --parquet; --flows is per weekday, --start a date
    /// (default 2026-11-02, a Monday); --truth lists attacks, decoys, routine events and
    /// routine chains per day.
    #[arg(long, value_name = "N", requires = "parquet")]
    pub days: Option<u32>,
    /// With --days: first day (1-based) with attacks.
    #[arg(long, default_value_t = 8)]
    pub attacks_from: u32,
    /// With --days: the network's shape: `teams` (a subnet per role, team jump hosts) or
    /// `sites` (several sites, shared local jump hosts and central bastions).
    #[arg(long, value_enum, default_value = "teams", requires = "days")]
    pub shape: SynthShape,
}

/// `synth --shape`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SynthShape {
    /// A subnet per role; each team has jump hosts of its own.
    Teams,
    /// Several sites with shared local jump hosts and central bastions.
    Sites,
}

/// `pivotflow capture` as typed (validated by `config::capture`).
#[derive(Debug, Args)]
pub struct CaptureArgs {
    /// Listen for export datagrams on ADDR:PORT (repeatable; IPv4 like `0.0.0.0:2055`, IPv6 in brackets like `[::]:2055`).
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Vec<SocketAddr>,
    /// Read export datagrams from a pcap or pcapng file (repeatable).
    #[arg(long, value_name = "FILE")]
    pub pcap: Vec<PathBuf>,
    /// Meter flows from the raw packets of a pcap/pcapng capture (tap, SPAN port, sensor; no
    /// exporter needed). Repeatable: the files are merged by packet time.
    #[arg(long, value_name = "FILE")]
    pub packets: Vec<PathBuf>,
    /// Read flows from a Zeek conn log (repeatable; TSV or JSON lines, plain or gzip; `-`
    /// for stdin): one record per direction, TCP flags from `history`/`conn_state`.
    #[arg(long, value_name = "FILE")]
    pub zeek: Vec<PathBuf>,
    /// --packets: a flow record lasting this long is ended and a new one started.
    #[arg(long, default_value = "30m")]
    pub active_timeout: String,
    /// --packets: a flow record idle this long is ended.
    #[arg(long, default_value = "15s")]
    pub inactive_timeout: String,
    /// --packets: flow records open at once, at most; beyond it the least recently seen are
    /// ended early (counted as evicted). ~100 bytes each.
    #[arg(long, default_value_t = 1_000_000)]
    pub max_flows: usize,
    /// Root of the flow store: files go to DIR/date=YYYY-MM-DD/hour=HH/.
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// pcap mode: only UDP datagrams to this destination port (repeatable; default: any port,
    /// NetFlow is recognised by content).
    #[arg(long, value_name = "PORT")]
    pub port: Vec<u16>,
    /// Accept datagrams only from exporters in CIDR (repeatable; others are counted and dropped).
    #[arg(long, value_name = "CIDR")]
    pub allow_exporter: Vec<String>,
    /// Data sets held while waiting for their template, at most (all exporters).
    #[arg(long, default_value_t = 20_000)]
    pub hold_max_sets: usize,
    /// Bytes held while waiting for templates, at most.
    #[arg(long, default_value_t = 64 << 20)]
    pub hold_max_bytes: usize,
    /// Held data older than this (arrival time) is dropped and counted as expired.
    #[arg(long, default_value = "10m")]
    pub hold_max_age: String,
    /// Template scopes (exporter address, version, observation domain) kept at most. A new one
    /// takes the place of the oldest scope that sent one datagram only (scopes_displaced), else
    /// of one idle for --scope-idle; else v9/IPFIX datagrams are refused and counted
    /// (scope_table_full) and v5 ones decoded without a scope (v5_without_scope): spoofed
    /// exporters can neither grow memory nor lock out real ones.
    #[arg(long, default_value_t = 1024)]
    pub max_scopes: usize,
    /// Templates kept per scope (least recently used ones are forgotten).
    #[arg(long, default_value_t = 256)]
    pub max_templates: usize,
    /// Fields per template at most (real templates have fewer than 100); longer ones are
    /// decode errors.
    #[arg(long, default_value_t = 256)]
    pub max_template_fields: usize,
    /// A scope silent this long may give its place to a new one when --max-scopes is reached.
    #[arg(long, default_value = "1h")]
    pub scope_idle: String,
    /// Live mode: received flows are journaled this often (the most a crash can lose).
    #[arg(long, default_value = "1s")]
    pub flush_interval: String,
    /// Live mode: log the statistics this often.
    #[arg(long, default_value = "60s")]
    pub stats_interval: String,
    /// Write the capture statistics as JSON to FILE (at the end, and at each stats interval).
    #[arg(long, value_name = "FILE")]
    pub stats_json: Option<PathBuf>,
    /// Copy every finished hour file (and admin piece) to this object store prefix, e.g.
    /// s3://flows/site-a, after it is written locally; retried at the next pass, counted in the
    /// statistics (AWS_* environment variables: credentials, region, AWS_ENDPOINT_URL).
    #[arg(long, value_name = "S3_URL")]
    pub upload: Option<PathBuf>,
    /// Live mode: an hour's Parquet file is written this long after the hour ends.
    #[arg(long, default_value = "30s")]
    pub close_grace: String,
    /// zstd compression level of the Parquet files (1–22).
    #[arg(long, default_value_t = 3)]
    pub zstd_level: i32,
    /// Benchmark baseline: parquet's default encodings (dictionary everywhere, no delta
    /// encoding for the time columns), keeping zstd. Not for production use.
    #[arg(long, hide = true)]
    pub writer_defaults: bool,
    /// Rows per Parquet row group.
    #[arg(long, default_value_t = 1 << 20)]
    pub row_group_rows: usize,
    /// An hour with more rows than this is written as several files (bounds memory).
    #[arg(long, default_value_t = 2_000_000)]
    pub max_rows_per_file: usize,
    /// Do not write the admin layout (`<data>/.admin/`: each hour file's flows on SSH, RDP and
    /// WinRM ports, which `pivots` and `report` read instead of the whole store).
    #[arg(long)]
    pub no_admin_layout: bool,
    /// The admin layout keeps the flows of these services (NAME=PROTO/PORT[,PORT…]; repeatable),
    /// replacing SSH, RDP and WinRM — give the list `pivots --service` is given.
    #[arg(long, value_name = "NAME=PROTO/PORT")]
    pub service: Vec<String>,
    /// Live mode: socket receive buffer in bytes (the kernel may cap it: net.core.rmem_max).
    #[arg(long, default_value_t = 32 << 20)]
    pub recv_buffer: usize,
    /// Live mode: delete whole days (`date=YYYY-MM-DD` folders) older than this, e.g. 90d;
    /// checked at start and every hour. Default: keep everything.
    #[arg(long)]
    pub retention: Option<String>,
    /// Live mode: datagrams queued between the sockets and the decoder before drops.
    #[arg(long, default_value_t = 65_536)]
    pub queue: usize,
    /// The options given on the command line (clap ids), filled in after parsing: options of
    /// another source are refused instead of silently ignored.
    #[arg(skip)]
    pub given: Vec<String>,
}

/// `pivotflow sql` as typed (validated by `config::sql`).
#[derive(Debug, Args)]
pub struct SqlArgs {
    /// Root of the flow store (as given to `capture --data`).
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// Host inventory CSV (as for `pivots`): registered as the table `hosts` (address or
    /// CIDR, name, role, owner, the other columns).
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,
    /// A hosts(5) file: its names join the `hosts` table.
    #[arg(long, value_name = "FILE")]
    pub hosts_file: Option<PathBuf>,
    /// DHCP/VPN leases (as for `pivots`): registered as the table `leases` (address, identity,
    /// from_ms, until_ms), to ask who held an address when.
    #[arg(long, value_name = "FILE")]
    pub leases: Option<PathBuf>,
    /// The query. Without it and without -f: an interactive prompt on a terminal, else stdin.
    pub query: Option<String>,
    /// Run the query in FILE (e.g. queries/top_talkers.sql).
    #[arg(short = 'f', long = "file", value_name = "FILE", conflicts_with = "query")]
    pub file: Option<PathBuf>,
    /// Only flows that arrived at or after this: RFC 3339, a date, or a duration before now (24h, 7d).
    #[arg(long)]
    pub since: Option<String>,
    /// Only flows that arrived before this (same forms as --since).
    #[arg(long)]
    pub until: Option<String>,
    /// Bind $NAME in the query to VALUE (typed: integer, float, true/false, else text; 'quoted' forces text).
    #[arg(long, value_name = "NAME=VALUE")]
    pub param: Vec<String>,
    /// Output format (default: table on a terminal, csv otherwise).
    #[arg(long, value_enum)]
    pub format: Option<crate::sql::print::OutputFormat>,
    /// Write results to FILE instead of stdout (required for parquet).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Memory the query may use before spilling/failing, e.g. 4G, 512M (default: half the RAM).
    #[arg(long)]
    pub memory_limit: Option<String>,
    /// Parallelism of scans and joins (default: number of cores).
    #[arg(long)]
    pub target_partitions: Option<usize>,
    /// Run the query on a Ballista cluster (`df://HOST:PORT` of a `pivotflow cluster
    /// scheduler`; default: $PIVOTFLOW_CLUSTER, else locally). The store path must be the same
    /// on every executor.
    #[arg(long, value_name = "URL")]
    pub cluster: Option<String>,
    /// With --cluster: give up after this long without a result (exit 5, naming the cluster).
    #[arg(long, default_value = "1h")]
    pub timeout: String,
}

/// `pivotflow pivots` as typed (validated by `config::pivot`).
#[derive(Debug, Args)]
pub struct PivotsArgs {
    /// Data, services, trust and chain rules.
    #[command(flatten)]
    pub rules: PivotRulesArgs,
    /// Period start (arrival time): RFC 3339, a date, or a duration before now.
    #[arg(long)]
    pub since: Option<String>,
    /// Period end (exclusive), same forms.
    #[arg(long)]
    pub until: Option<String>,
    /// Output folder: pivots.graphml, chains.json (and chains/*.graphml with --per-chain).
    /// Without it nothing is written: the ranked table, or with --json the report, goes to
    /// stdout (`pivotflow pivots --data flows/ --json | jq .chains[0]`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write one GraphML per chain.
    #[arg(long, requires = "out")]
    pub per_chain: bool,
    /// Also write the HTML report (one self-contained file: alert cards with path and timeline,
    /// overview, table of all chains) to FILE (`-`: stdout, instead of the table); it links to
    /// the files in --out when there is one.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Print the report as JSON on stdout (the content of chains.json) instead of the ranked
    /// table.
    #[arg(long)]
    pub json: bool,
    /// Append one JSON line per new alert incident to FILE (as `report --events`; `-`: every
    /// alert incident to stdout, instead of the table).
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
    /// Memory for the SQL stages (e.g. 4G; default half the RAM).
    #[arg(long)]
    pub memory_limit: Option<String>,
    /// History folder kept by `report` (REPORTS/history): score chains against the days before
    /// --since. Without it there is no history (no chain is unusual for lack of a baseline).
    #[arg(long, value_name = "DIR", requires = "since")]
    pub history: Option<PathBuf>,
}

/// `pivotflow report` as typed (validated by `config::pivot`).
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Data, services, trust and chain rules.
    #[command(flatten)]
    pub pivots: PivotRulesArgs,
    /// The UTC day to report: YYYY-MM-DD, yesterday (default) or today.
    #[arg(long, conflicts_with = "since")]
    pub day: Option<String>,
    /// Instead of --day: backfill every UTC day from this date (YYYY-MM-DD) on, oldest first,
    /// one report folder and one history day each.
    #[arg(long)]
    pub since: Option<String>,
    /// Last day of the backfill (inclusive; default: yesterday).
    #[arg(long, requires = "since")]
    pub until: Option<String>,
    /// Memory for the SQL stages (e.g. 4G; default half the RAM).
    #[arg(long)]
    pub memory_limit: Option<String>,
    /// Reports folder: the report goes to DIR/YYYY-MM-DD/ (replaced on rerun).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Append one JSON line per new alert incident (Elastic Common Schema: @timestamp,
    /// event.kind alert, source/destination/related.ip, rule.name, message, pivotflow.*) to
    /// FILE, for Filebeat/Vector/Fluent Bit; a rerun of a day adds none twice (stable event.id).
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
}

/// `pivotflow ack` as typed (validated by `config::pivot::ack`).
#[derive(Debug, Args)]
pub struct AckArgs {
    /// Reports folder (`report --out`); acknowledgements are kept in DIR/history/acks.json.
    #[arg(long, value_name = "DIR")]
    pub reports: PathBuf,
    /// The incident: YYYY-MM-DD/incident-N as the report names it (or incident-N with --day).
    #[arg(required_unless_present_any = ["list", "undo"], conflicts_with_all = ["list", "undo"])]
    pub incident: Option<String>,
    /// The report day, when INCIDENT is given as incident-N.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub day: Option<String>,
    /// Why it is known-good (recorded with the time; shown in every later report).
    #[arg(long, required_unless_present_any = ["list", "undo"])]
    pub reason: Option<String>,
    /// Withdraw the acknowledgement of this incident (YYYY-MM-DD/incident-N).
    #[arg(long, value_name = "INCIDENT", conflicts_with = "list")]
    pub undo: Option<String>,
    /// Print every acknowledgement (withdrawn ones marked).
    #[arg(long)]
    pub list: bool,
}

/// Rules shared by `pivots` and `report`.
#[derive(Debug, Args)]
pub struct PivotRulesArgs {
    /// Root of the flow store.
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// Host names and roles, CSV with a header: address or CIDR, name, role, owner/team, any
    /// other columns (kept). Shown next to addresses in every output.
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,
    /// Names from a hosts(5) file (`address name …`: a cached reverse-DNS or `getent hosts`
    /// export) where the inventory has none. Nothing is looked up on the network.
    #[arg(long, value_name = "FILE")]
    pub hosts_file: Option<PathBuf>,
    /// DHCP/VPN leases: CSV with a header (address, identity, from, until: RFC 3339 or epoch
    /// seconds; empty until: open) or Zeek's dhcp.log (TSV or JSON, plain or gzip). A leased
    /// address is named by the identity that held it at each flow's start, so a laptop whose
    /// address changes keeps one history.
    #[arg(long, value_name = "FILE")]
    pub leases: Option<PathBuf>,
    /// JSON file with "services" (["ssh=tcp/22", ...]) and "trusted" (["10.0.9.0/24", ...]);
    /// command-line --service replaces its services, --trusted adds to its trusted list.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Services of interest, NAME=PROTO/PORT[,PORT...] (repeatable; replaces the default
    /// ssh=tcp/22 rdp=tcp/3389 rdp=udp/3389 winrm=tcp/5985,5986).
    #[arg(long, value_name = "SPEC")]
    pub service: Vec<String>,
    /// Known jump hosts / admin stations (repeatable): their chains are kept, flagged, ranked down.
    #[arg(long, value_name = "CIDR")]
    pub trusted: Vec<String>,
    /// A continuation may start this long before its parent session (exporter clock skew).
    #[arg(long, default_value = "2s")]
    pub skew: String,
    /// A continuation may start this long after its parent session ended.
    #[arg(long, default_value = "0s")]
    pub slack: String,
    /// Also read the flows that arrived this long before the period's start, so that a chain
    /// whose sessions straddle it (an SSH session still open at midnight, exported when it ended)
    /// is seen whole; a chain the period before saw is left out (0s: the period's flows only).
    #[arg(long, default_value = "12h")]
    pub lookback: String,
    /// The zone the network works in (IANA name, e.g. America/Los_Angeles; UTC when not given):
    /// `report`'s days run from its midnight, and weekends and working hours are judged in it.
    /// Without it, a report whose admins' working day is far from UTC's says so.
    #[arg(long, value_name = "ZONE")]
    pub timezone: Option<String>,
    /// Longest chain followed (hops); longer ones are cut and counted.
    #[arg(long, default_value_t = 8)]
    pub max_hops: usize,
    /// Continuations followed per hop (earliest first); the rest are counted.
    #[arg(long, default_value_t = 32)]
    pub max_fanout: usize,
    /// Packets required in each direction for a session to be a hop (scans/refused SYNs are not).
    #[arg(long, default_value_t = 2)]
    pub min_packets: i64,
    /// Bytes required in both directions together for a hop.
    #[arg(long, default_value_t = 0)]
    pub min_bytes: i64,
    /// Days of history (kept by `report` in REPORTS/history) before the period that the rarity
    /// score reads.
    #[arg(long, default_value_t = 28)]
    pub history_days: usize,
    /// Score at which a chain (through no --trusted host) is an alert.
    #[arg(long, default_value_t = crate::pivot::rules::DEFAULT_ALERT_THRESHOLD)]
    pub alert_threshold: f64,
    /// Leave chains that are not alerts out of the GraphML (counted in the summary).
    #[arg(long)]
    pub hide_routine: bool,
    /// Leave chains through --trusted hosts out of GraphML, JSON and the table (a busy jump host
    /// makes thousands); how many were left out is reported.
    #[arg(long)]
    pub hide_trusted: bool,
    /// Candidate join: `bucket` (queries/pivot_hops.sql) or `plain` (queries/pivot_hops_plain.sql,
    /// for comparison: same result, every inbound × outbound pair of a host checked).
    #[arg(long, value_enum, default_value = "bucket")]
    pub join: crate::pivot::rules::JoinStrategy,
    /// Time bucket of the bucketed candidate join.
    #[arg(long, default_value = "5m")]
    pub bucket: String,
    /// Run the scans, sessions, possible pivot hosts and history aggregates on a Ballista
    /// cluster (`df://HOST:PORT`; default $PIVOTFLOW_CLUSTER, else locally); hops, chains and
    /// outputs stay on this machine.
    #[arg(long, value_name = "URL")]
    pub cluster: Option<String>,
    /// With --cluster: give up after this long without a result, per run or report day (exit
    /// 5, naming the cluster).
    #[arg(long, default_value = "1h")]
    pub timeout: String,
    /// Also send every alert incident as an RFC 5424 syslog message (its text the ECS JSON of
    /// --events) to `unix:///dev/log` or `udp://HOST:PORT`.
    #[arg(long, value_name = "URL")]
    pub syslog: Option<String>,
}
