//! Writing export datagrams as a classic pcap (Ethernet/IPv4/UDP frames), microsecond stamps.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::Path;

use etherparse::PacketBuilder;

use crate::error::{Error, Result};

/// Writes export datagrams as UDP/IPv4-or-6/Ethernet frames into a classic pcap file.
pub struct PcapWriter {
    out: BufWriter<File>,
    path: std::path::PathBuf,
    frame: Vec<u8>,
}

impl PcapWriter {
    /// Create the file and write the pcap header.
    pub fn create(path: &Path) -> Result<Self> {
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        out.write_all(&file_header(65_535)).map_err(|e| Error::io(path, e))?;
        Ok(PcapWriter { out, path: path.to_path_buf(), frame: Vec::with_capacity(2048) })
    }

    /// Append one UDP datagram `from` → `to` captured at `ts_ms`.
    pub fn write_datagram(
        &mut self,
        from: SocketAddrV4,
        to: SocketAddrV4,
        ts_ms: i64,
        payload: &[u8],
    ) -> Result<()> {
        self.frame.clear();
        let builder = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
            .ipv4(from.ip().octets(), to.ip().octets(), 64)
            .udp(from.port(), to.port());
        builder
            .write(&mut self.frame, payload)
            .map_err(|e| Error::config("synthetic datagram", e.to_string()))?;
        let rec = record_header(ts_ms, self.frame.len(), self.frame.len());
        let path = &self.path;
        self.out.write_all(&rec).map_err(|e| Error::io(path, e))?;
        self.out.write_all(&self.frame).map_err(|e| Error::io(path, e))
    }

    /// Flush what is buffered.
    pub fn finish(mut self) -> Result<()> {
        self.out.flush().map_err(|e| Error::io(&self.path, e))
    }
}

/// A classic pcap file header: microsecond stamps, Ethernet frames of at most `snaplen` bytes.
pub fn file_header(snaplen: u32) -> [u8; 24] {
    let mut h = [0u8; 24];
    h[0..4].copy_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    h[4..6].copy_from_slice(&2u16.to_le_bytes());
    h[6..8].copy_from_slice(&4u16.to_le_bytes());
    // 8..16: time zone offset and accuracy, both 0.
    h[16..20].copy_from_slice(&snaplen.to_le_bytes());
    h[20..24].copy_from_slice(&1u32.to_le_bytes()); // LINKTYPE_ETHERNET
    h
}

/// A classic pcap record header: captured at `ts_ms`, `kept` bytes in the file of `wire`.
pub fn record_header(ts_ms: i64, kept: usize, wire: usize) -> [u8; 16] {
    let mut rec = [0u8; 16];
    rec[0..4].copy_from_slice(&(ts_ms.div_euclid(1000) as u32).to_le_bytes());
    rec[4..8].copy_from_slice(&((ts_ms.rem_euclid(1000) * 1000) as u32).to_le_bytes());
    rec[8..12].copy_from_slice(&(kept as u32).to_le_bytes());
    rec[12..16].copy_from_slice(&(wire as u32).to_le_bytes());
    rec
}

/// Collector address used in synthetic captures.
pub fn collector(port: u16) -> SocketAddrV4 {
    SocketAddrV4::new(Ipv4Addr::new(192, 0, 2, 254), port)
}
