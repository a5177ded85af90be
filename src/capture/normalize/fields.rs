//! Field accumulator shared by v9 and IPFIX: information elements (by IANA number) → record parts.
//!
//! NetFlow v9 field types 1–127 are the same numbers as IPFIX IEs, and some v9 exporters
//! (Cisco ASA NSEL) send IPFIX-numbered absolute time fields, so one table serves both.

use std::net::IpAddr;

use netflow_parser::variable_versions::field_value::FieldValue;

/// Raw values of one data record, before times are resolved against the message header.
#[derive(Debug, Default, Clone)]
pub struct RecordFields {
    /// IE 8 / 27: sourceIPv4/IPv6Address.
    pub src_addr: Option<IpAddr>,
    /// IE 12 / 28: destinationIPv4/IPv6Address.
    pub dst_addr: Option<IpAddr>,
    /// IE 7: sourceTransportPort.
    pub src_port: Option<u16>,
    /// IE 11: destinationTransportPort.
    pub dst_port: Option<u16>,
    /// IE 32 / 139: icmpTypeCodeIPv4/IPv6 (type × 256 + code).
    pub icmp_type_code: Option<u16>,
    /// IE 4: protocolIdentifier.
    pub proto: Option<u8>,
    /// IE 6: tcpControlBits.
    pub tcp_flags: Option<u16>,
    /// IE 1 / 85: octetDeltaCount / octetTotalCount.
    pub octets: Option<u64>,
    /// IE 2 / 86: packetDeltaCount / packetTotalCount.
    pub packets: Option<u64>,
    /// IE 10: ingressInterface.
    pub in_if: Option<u32>,
    /// IE 14: egressInterface.
    pub out_if: Option<u32>,
    /// IE 34 / 305 / 50: samplingInterval, samplingPacketInterval, samplerRandomInterval.
    pub sampling_interval: Option<u32>,
    /// IE 5: ipClassOfService.
    pub tos: Option<u8>,
    /// IE 22 / 21: flowStart/EndSysUpTime (v9 FIRST_SWITCHED / LAST_SWITCHED), ms of uptime.
    pub start_uptime_ms: Option<u32>,
    /// IE 21: flowEndSysUpTime (v9 LAST_SWITCHED), ms of uptime.
    pub end_uptime_ms: Option<u32>,
    /// IE 150–157 resolved to UNIX epoch ms.
    pub start_abs_ms: Option<i64>,
    /// IE 151/153/155/157 resolved to UNIX epoch ms.
    pub end_abs_ms: Option<i64>,
    /// IE 158 / 159: flowStart/EndDeltaMicroseconds before the export time.
    pub start_delta_us: Option<u64>,
    /// IE 159: flowEndDeltaMicroseconds before the export time.
    pub end_delta_us: Option<u64>,
    /// IE 161: flowDurationMilliseconds.
    pub duration_ms: Option<u64>,
    /// IE 160: systemInitTimeMilliseconds carried in the record itself.
    pub system_init_ms: Option<i64>,
}

fn number(v: &FieldValue) -> Option<u64> {
    v.as_u64()
}

fn address(v: &FieldValue) -> Option<IpAddr> {
    match v {
        FieldValue::Ip4Addr(a) => Some(IpAddr::V4(*a)),
        FieldValue::Ip6Addr(a) => Some(IpAddr::V6(*a)),
        _ => None,
    }
}

/// Templates that carry both IPv4 and IPv6 address fields fill the unused family with zeros
/// (`::` or `0.0.0.0`, e.g. Cisco f2rd/pmacct captures): keep the first *specified* address.
fn prefer_specified(slot: &mut Option<IpAddr>, new: Option<IpAddr>) {
    if slot.is_none_or(|a| a.is_unspecified()) && new.is_some() {
        *slot = new;
    }
}

/// Epoch ms of an absolute-time IE value (seconds, ms, or NTP micro/nano formats).
fn absolute_ms(ie: u16, v: &FieldValue) -> Option<i64> {
    let ms = number(v)? as i64;
    Some(match ie {
        // dateTimeMicroseconds / dateTimeNanoseconds are NTP-format (1900 epoch); the decoder
        // already turned them into NTP-epoch ms.
        154..=157 => ms - super::time::NTP_UNIX_OFFSET_MS,
        _ => ms,
    })
}

impl RecordFields {
    /// Apply one IANA-numbered field. Unknown and enterprise fields are ignored by the caller.
    pub fn apply(&mut self, ie: u16, v: &FieldValue) {
        match ie {
            1 | 85 => self.octets = self.octets.or(number(v)),
            2 | 86 => self.packets = self.packets.or(number(v)),
            4 => self.proto = v.as_u8(),
            5 => self.tos = number(v).map(|n| n as u8),
            6 => {
                self.tcp_flags = match v {
                    FieldValue::TcpControlBits(bits, _) => Some(u16::from(*bits)),
                    other => number(other).map(|n| n as u16),
                }
            }
            7 => self.src_port = number(v).map(|n| n as u16),
            11 => self.dst_port = number(v).map(|n| n as u16),
            32 | 139 => self.icmp_type_code = number(v).map(|n| n as u16),
            8 | 27 => prefer_specified(&mut self.src_addr, address(v)),
            12 | 28 => prefer_specified(&mut self.dst_addr, address(v)),
            10 => self.in_if = number(v).map(|n| n as u32),
            14 => self.out_if = number(v).map(|n| n as u32),
            34 | 305 | 50 => {
                self.sampling_interval = self.sampling_interval.or(number(v).map(|n| n as u32))
            }
            21 => self.end_uptime_ms = number(v).map(|n| n as u32),
            22 => self.start_uptime_ms = number(v).map(|n| n as u32),
            150 | 152 | 154 | 156 => self.start_abs_ms = self.start_abs_ms.or(absolute_ms(ie, v)),
            151 | 153 | 155 | 157 => self.end_abs_ms = self.end_abs_ms.or(absolute_ms(ie, v)),
            158 => self.start_delta_us = number(v),
            159 => self.end_delta_us = number(v),
            160 => self.system_init_ms = number(v).map(|n| n as i64),
            161 => self.duration_ms = number(v),
            _ => {}
        }
    }

    /// Ports as stored: ICMP records without transport ports carry type*256+code in dst_port
    /// (the convention of v5 and most v9 exporters, and what tshark/nfdump show).
    pub fn ports(&self) -> (u16, u16) {
        let src = self.src_port.unwrap_or(0);
        let dst = match (self.dst_port, self.icmp_type_code) {
            (Some(p), Some(icmp)) if p == 0 && matches!(self.proto, Some(1) | Some(58)) => icmp,
            (Some(p), _) => p,
            (None, Some(icmp)) => icmp,
            (None, None) => 0,
        };
        (src, dst)
    }
}
