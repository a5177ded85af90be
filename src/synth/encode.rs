//! Exporter side: synthetic flows → NetFlow v5 / v9 / IPFIX export datagrams, as a real
//! exporter would send them (uptime clock, sequence numbers, template refresh).

use std::net::IpAddr;

/// One flow to export (times are absolute epoch ms; the encoder converts to uptime).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthFlow {
    /// First packet, UTC epoch ms.
    pub start_ms: i64,
    /// Last packet, UTC epoch ms.
    pub end_ms: i64,
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// IP protocol number.
    pub proto: u8,
    /// TCP flags ORed over the flow.
    pub tcp_flags: u8,
    /// IP type of service.
    pub tos: u8,
    /// Packets.
    pub packets: u32,
    /// Layer-3 bytes.
    pub bytes: u32,
    /// Input interface index.
    pub in_if: u16,
    /// Output interface index.
    pub out_if: u16,
}

/// Export protocol the generator speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// NetFlow v5 (IPv4 only, fixed records).
    V5,
    /// NetFlow v9 (templates).
    V9,
    /// IPFIX (RFC 7011).
    Ipfix,
}

/// Largest UDP payload we build: fits a 1500-byte Ethernet MTU without fragmentation.
const MAX_DATAGRAM: usize = 1400;
const TEMPLATE_V4: u16 = 256;
const TEMPLATE_V6: u16 = 257;

/// (field type / IE, length) of the v9 and IPFIX templates, for IPv4; IPv6 swaps 8/12 for 27/28.
const V9_FIELDS: &[(u16, u16)] = &[
    (8, 4),
    (12, 4),
    (7, 2),
    (11, 2),
    (4, 1),
    (6, 1),
    (5, 1),
    (1, 4),
    (2, 4),
    (10, 2),
    (14, 2),
    (22, 4),
    (21, 4),
];
const IPFIX_FIELDS: &[(u16, u16)] = &[
    (8, 4),
    (12, 4),
    (7, 2),
    (11, 2),
    (4, 1),
    (6, 1),
    (5, 1),
    (1, 8),
    (2, 8),
    (10, 4),
    (14, 4),
    (152, 8),
    (153, 8),
];

/// State of one simulated exporter.
#[derive(Debug, Clone)]
pub struct Exporter {
    /// Export format.
    pub format: ExportFormat,
    /// Epoch ms at which the exporter's uptime was 0 (may make uptime wrap on purpose).
    pub boot_ms: i64,
    /// Observation domain / source id / engine id.
    pub domain: u32,
    /// v5: flows sent; v9: datagrams sent; IPFIX: data records sent (as each RFC defines).
    pub sequence: u32,
    /// Send templates every this many datagrams (counted from the last template)...
    pub template_every: u32,
    /// ...or when this many ms of export time passed since the last one (0 = off), as
    /// exporters configured with a template timeout do.
    pub template_interval_ms: i64,
    /// Datagrams sent before the very first template: a collector that starts listening
    /// before the exporter's first template sees data it cannot decode yet.
    pub first_template_after: u32,
    datagrams: u64,
    /// Datagram number and export time of the last template sent.
    last_template: Option<(u64, i64)>,
}

fn put_u16(b: &mut Vec<u8>, v: u16) {
    b.extend_from_slice(&v.to_be_bytes());
}
fn put_u32(b: &mut Vec<u8>, v: u32) {
    b.extend_from_slice(&v.to_be_bytes());
}
fn put_u64(b: &mut Vec<u8>, v: u64) {
    b.extend_from_slice(&v.to_be_bytes());
}
fn put_addr(b: &mut Vec<u8>, a: IpAddr) {
    match a {
        IpAddr::V4(v4) => b.extend_from_slice(&v4.octets()),
        IpAddr::V6(v6) => b.extend_from_slice(&v6.octets()),
    }
}

fn fields_for(base: &[(u16, u16)], v6: bool) -> Vec<(u16, u16)> {
    base.iter()
        .map(|&(id, len)| match (v6, id) {
            (true, 8) => (27, 16),
            (true, 12) => (28, 16),
            _ => (id, len),
        })
        .collect()
}

fn record_len(fields: &[(u16, u16)]) -> usize {
    fields.iter().map(|&(_, l)| usize::from(l)).sum()
}

impl Exporter {
    /// An exporter booted at `boot_ms` (its uptime clock), with this domain/source id.
    pub fn new(format: ExportFormat, boot_ms: i64, domain: u32, template_every: u32) -> Self {
        Exporter {
            format,
            boot_ms,
            domain,
            sequence: 0,
            template_every: template_every.max(1),
            template_interval_ms: 0,
            first_template_after: 0,
            datagrams: 0,
            last_template: None,
        }
    }

    fn uptime(&self, epoch_ms: i64) -> u32 {
        (epoch_ms - self.boot_ms) as u32 // wraps modulo 2^32 like a real exporter's clock
    }

    fn templates_due(&self, export_ms: i64) -> bool {
        match self.last_template {
            None => self.datagrams >= u64::from(self.first_template_after),
            Some((at, ms)) => {
                self.datagrams - at >= u64::from(self.template_every)
                    || (self.template_interval_ms > 0
                        && export_ms - ms >= self.template_interval_ms)
            }
        }
    }

    /// Encode flows exported at `export_ms` into datagrams, each with the number of flows it
    /// carries. v5 cannot carry IPv6: such flows are skipped and their number returned.
    pub fn encode(
        &mut self,
        flows: &[SynthFlow],
        export_ms: i64,
    ) -> (Vec<(Vec<u8>, usize)>, usize) {
        match self.format {
            ExportFormat::V5 => self.encode_v5(flows, export_ms),
            ExportFormat::V9 | ExportFormat::Ipfix => (self.encode_templated(flows, export_ms), 0),
        }
    }

    fn encode_v5(&mut self, flows: &[SynthFlow], export_ms: i64) -> (Vec<(Vec<u8>, usize)>, usize) {
        let v4: Vec<&SynthFlow> =
            flows.iter().filter(|f| f.src.is_ipv4() && f.dst.is_ipv4()).collect();
        let skipped = flows.len() - v4.len();
        let mut out = Vec::new();
        for chunk in v4.chunks(30) {
            let mut b = Vec::with_capacity(24 + 48 * chunk.len());
            put_u16(&mut b, 5);
            put_u16(&mut b, chunk.len() as u16);
            put_u32(&mut b, self.uptime(export_ms));
            put_u32(&mut b, (export_ms / 1000) as u32);
            put_u32(&mut b, ((export_ms % 1000) * 1_000_000) as u32);
            put_u32(&mut b, self.sequence);
            b.push((self.domain >> 8) as u8);
            b.push(self.domain as u8);
            put_u16(&mut b, 0);
            for f in chunk {
                put_addr(&mut b, f.src);
                put_addr(&mut b, f.dst);
                put_u32(&mut b, 0); // next hop
                put_u16(&mut b, f.in_if);
                put_u16(&mut b, f.out_if);
                put_u32(&mut b, f.packets);
                put_u32(&mut b, f.bytes);
                put_u32(&mut b, self.uptime(f.start_ms));
                put_u32(&mut b, self.uptime(f.end_ms));
                put_u16(&mut b, f.src_port);
                put_u16(&mut b, f.dst_port);
                b.push(0);
                b.push(f.tcp_flags);
                b.push(f.proto);
                b.push(f.tos);
                put_u32(&mut b, 0); // src/dst AS
                b.extend_from_slice(&[24, 24, 0, 0]); // masks, pad
            }
            self.sequence = self.sequence.wrapping_add(chunk.len() as u32);
            self.datagrams += 1;
            out.push((b, chunk.len()));
        }
        (out, skipped)
    }

    fn write_record(&self, b: &mut Vec<u8>, f: &SynthFlow) {
        let ipfix = self.format == ExportFormat::Ipfix;
        put_addr(b, f.src);
        put_addr(b, f.dst);
        put_u16(b, f.src_port);
        put_u16(b, f.dst_port);
        b.push(f.proto);
        b.push(f.tcp_flags);
        b.push(f.tos);
        if ipfix {
            put_u64(b, u64::from(f.bytes));
            put_u64(b, u64::from(f.packets));
            put_u32(b, u32::from(f.in_if));
            put_u32(b, u32::from(f.out_if));
            put_u64(b, f.start_ms as u64);
            put_u64(b, f.end_ms as u64);
        } else {
            put_u32(b, f.bytes);
            put_u32(b, f.packets);
            put_u16(b, f.in_if);
            put_u16(b, f.out_if);
            put_u32(b, self.uptime(f.start_ms));
            put_u32(b, self.uptime(f.end_ms));
        }
    }

    fn template_set(&self) -> Vec<u8> {
        let ipfix = self.format == ExportFormat::Ipfix;
        let base = if ipfix { IPFIX_FIELDS } else { V9_FIELDS };
        let mut b = Vec::new();
        put_u16(&mut b, if ipfix { 2 } else { 0 });
        put_u16(&mut b, 0); // length, patched below
        for (id, v6) in [(TEMPLATE_V4, false), (TEMPLATE_V6, true)] {
            let fields = fields_for(base, v6);
            put_u16(&mut b, id);
            put_u16(&mut b, fields.len() as u16);
            for (t, l) in fields {
                put_u16(&mut b, t);
                put_u16(&mut b, l);
            }
        }
        let len = b.len() as u16;
        b[2..4].copy_from_slice(&len.to_be_bytes());
        b
    }

    fn header(&self, export_ms: i64, records_in_msg: u32) -> Vec<u8> {
        let mut b = Vec::with_capacity(MAX_DATAGRAM);
        match self.format {
            ExportFormat::Ipfix => {
                put_u16(&mut b, 10);
                put_u16(&mut b, 0); // length, patched at the end
                put_u32(&mut b, (export_ms / 1000) as u32);
                put_u32(&mut b, self.sequence);
                put_u32(&mut b, self.domain);
            }
            _ => {
                put_u16(&mut b, 9);
                put_u16(&mut b, records_in_msg as u16);
                put_u32(&mut b, self.uptime(export_ms));
                put_u32(&mut b, (export_ms / 1000) as u32);
                put_u32(&mut b, self.sequence);
                put_u32(&mut b, self.domain);
            }
        }
        b
    }

    fn encode_templated(&mut self, flows: &[SynthFlow], export_ms: i64) -> Vec<(Vec<u8>, usize)> {
        let base = if self.format == ExportFormat::Ipfix { IPFIX_FIELDS } else { V9_FIELDS };
        let (len4, len6) =
            (record_len(&fields_for(base, false)), record_len(&fields_for(base, true)));
        let mut out = Vec::new();
        let mut rest: &[SynthFlow] = flows;
        while !rest.is_empty() {
            let templates = if self.templates_due(export_ms) {
                self.last_template = Some((self.datagrams, export_ms));
                self.template_set()
            } else {
                Vec::new()
            };
            // Greedy: take flows while the datagram stays under the size limit; one data set
            // per address family run.
            let mut size = 20 + templates.len();
            let mut n = 0;
            let mut last_v6 = None;
            for f in rest {
                let v6 = f.src.is_ipv6();
                let add =
                    if v6 { len6 } else { len4 } + if last_v6 != Some(v6) { 4 + 3 } else { 0 };
                if size + add > MAX_DATAGRAM {
                    break;
                }
                size += add;
                last_v6 = Some(v6);
                n += 1;
            }
            let (chunk, tail) = rest.split_at(n.max(1));
            rest = tail;
            let mut b =
                self.header(export_ms, chunk.len() as u32 + u32::from(!templates.is_empty()) * 2);
            b.extend_from_slice(&templates);
            let mut i = 0;
            while i < chunk.len() {
                let v6 = chunk[i].src.is_ipv6();
                let run = chunk[i..].iter().take_while(|f| f.src.is_ipv6() == v6).count();
                let set_start = b.len();
                put_u16(&mut b, if v6 { TEMPLATE_V6 } else { TEMPLATE_V4 });
                put_u16(&mut b, 0);
                for f in &chunk[i..i + run] {
                    self.write_record(&mut b, f);
                }
                while !(b.len() - set_start).is_multiple_of(4) {
                    b.push(0); // set padding
                }
                let set_len = (b.len() - set_start) as u16;
                b[set_start + 2..set_start + 4].copy_from_slice(&set_len.to_be_bytes());
                i += run;
            }
            if self.format == ExportFormat::Ipfix {
                let len = b.len() as u16;
                b[2..4].copy_from_slice(&len.to_be_bytes());
                self.sequence = self.sequence.wrapping_add(chunk.len() as u32);
            } else {
                self.sequence = self.sequence.wrapping_add(1);
            }
            self.datagrams += 1;
            out.push((b, chunk.len()));
        }
        out
    }
}
