//! Templates over `--max-template-fields`: netflow_parser drops a template it finds invalid
//! without an error, so they are counted here, from the datagram, before it is parsed
//! (`template_too_large`). Walks the template and options-template sets of a v9 or IPFIX
//! datagram as far as they are consistent; a malformed set ends the walk (the parser counts it).

fn u16_at(d: &[u8], at: usize) -> Option<usize> {
    d.get(at..at + 2).map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
}

/// Template records in `payload` (a v9 or IPFIX datagram with a header of `header_len` bytes)
/// that declare more than `max_fields` fields.
pub fn oversized(payload: &[u8], version: u16, header_len: usize, max_fields: usize) -> u64 {
    let mut count = 0;
    let mut at = header_len;
    while let (Some(id), Some(len)) = (u16_at(payload, at), u16_at(payload, at + 2)) {
        if len < 4 || at + len > payload.len() {
            break;
        }
        let body = &payload[at + 4..at + len];
        count += match (version, id) {
            // v9 templates (0): id, field count; v9 options (1): id, scope length, options
            // length (bytes, 4 per field). IPFIX templates (2): id, field count; options (3): id,
            // field count, scope count. The first record's declared count is what matters for
            // a flood; later records of the set are walked only for templates (0 and 2).
            (9, 0) | (10, 2) => walk(body, version == 10, max_fields),
            (9, 1) => u64::from(
                (u16_at(body, 2).unwrap_or(0) + u16_at(body, 4).unwrap_or(0)) / 4 > max_fields,
            ),
            (10, 3) => u64::from(u16_at(body, 2).unwrap_or(0) > max_fields),
            _ => 0,
        };
        at += len;
    }
    count
}

/// 1 when a template record of this template set body is oversized (the walk stops there:
/// what follows it cannot be located), else 0.
fn walk(body: &[u8], ipfix: bool, max_fields: usize) -> u64 {
    let mut at = 0;
    while let (Some(_id), Some(fields)) = (u16_at(body, at), u16_at(body, at + 2)) {
        if fields > max_fields {
            return 1;
        }
        at += 4;
        for _ in 0..fields {
            let Some(ie) = u16_at(body, at) else { return 0 };
            at += if ipfix && ie & 0x8000 != 0 { 8 } else { 4 };
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ipfix_template_set(fields: &[usize]) -> Vec<u8> {
        let mut body = Vec::new();
        for (k, &n) in fields.iter().enumerate() {
            body.extend_from_slice(&(256 + k as u16).to_be_bytes());
            body.extend_from_slice(&(n as u16).to_be_bytes());
            for _ in 0..n {
                body.extend_from_slice(&[0, 8, 0, 4]);
            }
        }
        let mut d = vec![0u8; 16];
        d[1] = 10;
        d.extend_from_slice(&2u16.to_be_bytes());
        d.extend_from_slice(&((4 + body.len()) as u16).to_be_bytes());
        d.extend_from_slice(&body);
        d
    }

    #[test]
    fn counts_templates_over_the_limit() {
        assert_eq!(oversized(&ipfix_template_set(&[3, 10]), 10, 16, 8), 1);
        assert_eq!(oversized(&ipfix_template_set(&[3, 4]), 10, 16, 8), 0);
        assert_eq!(oversized(&ipfix_template_set(&[9, 3]), 10, 16, 8), 1, "stops after it");
        assert_eq!(oversized(&ipfix_template_set(&[3])[..21], 10, 16, 8), 0, "truncated: no count");
    }
}
