//! pcap / pcapng file reading with pcap-parser: frames with their link type and timestamp.
//!
//! The packet timestamp is the arrival time of the export datagram. Errors name the file and
//! the byte offset of the first block that could not be read; the caller keeps every frame
//! delivered before it.

use std::fs::File;
use std::path::Path;

use pcap_parser::pcapng::Block;
use pcap_parser::{PcapBlockOwned, PcapError, create_reader};

use crate::error::{Error, Result};

/// Initial read buffer; grown when a block is larger (jumbo frames, big pcapng blocks).
const BUFFER_SIZE: usize = 1 << 20;
const MAX_BUFFER_SIZE: usize = 256 << 20;

/// One interface of a pcapng section (pcap files have exactly one).
#[derive(Clone, Copy)]
struct Interface {
    linktype: i32,
    /// Timestamp units per second.
    resolution: u64,
    offset_s: i64,
}

/// Read every frame of `path`, calling `on_frame(linktype, frame, ts_ms)`.
pub fn read_frames(path: &Path, mut on_frame: impl FnMut(i32, &[u8], i64)) -> Result<()> {
    read_frames_us(path, |linktype, frame, ts_us| on_frame(linktype, frame, ts_us.div_euclid(1000)))
}

/// Read every frame of `path`, calling `on_frame(linktype, frame, ts_us)` with microseconds
/// (the packet meter merges files on them: packets of one millisecond keep their order).
pub fn read_frames_us(path: &Path, mut on_frame: impl FnMut(i32, &[u8], i64)) -> Result<()> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = match create_reader(BUFFER_SIZE, file) {
        Ok(r) => r,
        Err(PcapError::Eof) => return Ok(()), // empty file: no frames
        Err(PcapError::Incomplete(_)) | Err(PcapError::HeaderNotRecognized) => {
            return Err(Error::NotPcap { path: path.to_path_buf() });
        }
        Err(e) => {
            return Err(Error::PcapCorrupt {
                path: path.to_path_buf(),
                offset: 0,
                detail: format!("{e:?}"),
            });
        }
    };
    let mut frames = Frames {
        legacy: Interface { linktype: 1, resolution: 1_000_000, offset_s: 0 },
        interfaces: Vec::new(),
    };
    let mut buffer_size = BUFFER_SIZE;
    loop {
        let offset = reader.consumed() as u64;
        match reader.next() {
            Ok((len, block)) => {
                frames.block(block, path, offset, &mut on_frame)?;
                reader.consume(len);
            }
            Err(PcapError::Eof) => return Ok(()),
            Err(PcapError::Incomplete(_)) => {
                if reader.refill().is_err() {
                    return Err(Error::PcapTruncated {
                        path: path.to_path_buf(),
                        offset,
                        detail: "read error".into(),
                    });
                }
            }
            Err(PcapError::BufferTooSmall) => {
                buffer_size *= 2;
                if buffer_size > MAX_BUFFER_SIZE || !reader.grow(buffer_size) {
                    return Err(Error::PcapCorrupt {
                        path: path.to_path_buf(),
                        offset,
                        detail: format!("block larger than {MAX_BUFFER_SIZE} bytes"),
                    });
                }
                let _ = reader.refill();
            }
            Err(PcapError::UnexpectedEof) => {
                return Err(Error::PcapTruncated {
                    path: path.to_path_buf(),
                    offset,
                    detail: "file ends inside a block".into(),
                });
            }
            Err(e) => {
                return Err(Error::PcapCorrupt {
                    path: path.to_path_buf(),
                    offset,
                    detail: describe(&e),
                });
            }
        }
    }
}

/// What the blocks read so far declared: the legacy header's link type and resolution, and
/// pcapng's interfaces (cleared by each section header).
struct Frames {
    legacy: Interface,
    interfaces: Vec<Interface>,
}

impl Frames {
    /// Take in one block: a header or interface description updates what frames mean; a
    /// packet block is handed to `on_frame` with its link type and time in microseconds.
    fn block(
        &mut self,
        block: PcapBlockOwned<'_>,
        path: &Path,
        offset: u64,
        on_frame: &mut impl FnMut(i32, &[u8], i64),
    ) -> Result<()> {
        match block {
            PcapBlockOwned::LegacyHeader(h) => {
                self.legacy.linktype = h.network.0;
                self.legacy.resolution =
                    if h.is_nanosecond_precision() { 1_000_000_000 } else { 1_000_000 };
            }
            PcapBlockOwned::Legacy(b) => {
                let ts_us = i64::from(b.ts_sec) * 1_000_000
                    + (u128::from(b.ts_usec) * 1_000_000 / u128::from(self.legacy.resolution))
                        as i64;
                on_frame(self.legacy.linktype, b.data, ts_us);
            }
            PcapBlockOwned::NG(Block::SectionHeader(_)) => self.interfaces.clear(),
            PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                self.interfaces.push(Interface {
                    linktype: idb.linktype.0,
                    resolution: idb.ts_resolution().unwrap_or(1_000_000).max(1),
                    offset_s: idb.ts_offset(),
                })
            }
            PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                let Some(itf) = self.interfaces.get(epb.if_id as usize).copied() else {
                    return Err(Error::PcapCorrupt {
                        path: path.to_path_buf(),
                        offset,
                        detail: format!("packet for undeclared interface {}", epb.if_id),
                    });
                };
                let units = (u128::from(epb.ts_high) << 32) | u128::from(epb.ts_low);
                let ts_us = (units * 1_000_000 / u128::from(itf.resolution)) as i64
                    + itf.offset_s * 1_000_000;
                let data = &epb.data[..(epb.caplen as usize).min(epb.data.len())];
                on_frame(itf.linktype, data, ts_us);
            }
            PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
                // Simple packets carry no timestamp: arrival time is unknown, use 0 and
                // let the normalizer fall back to exporter time where it has one.
                let linktype = self.interfaces.first().map_or(1, |i| i.linktype);
                on_frame(linktype, spb.data, 0);
            }
            PcapBlockOwned::NG(_) => {}
        }
        Ok(())
    }
}

fn describe(e: &PcapError<&[u8]>) -> String {
    match e {
        PcapError::NomError(_, kind) => format!("unparseable block ({kind:?})"),
        PcapError::OwnedNomError(_, kind) => format!("unparseable block ({kind:?})"),
        other => format!("{other:?}"),
    }
}
