//! The README stays current: its schema table is the one `schema.rs` defines.

#[test]
fn readme_schema_table_matches_schema_rs() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(
        readme.contains(&pivotflow::schema::markdown_table()),
        "README schema table is stale: paste the output of `pivotflow schema`"
    );
}

/// The alert figures the README quotes (Benchmarks summary and Known limits) are those of
/// BENCHMARKS.md's "Alerts" section, recomputed from its per-network rows: a rerun of
/// `scripts/bench.sh alerts` that changes them makes this fail until the README says so.
#[test]
fn readme_alert_figures_are_those_of_benchmarks_md() {
    let bench = std::fs::read_to_string("BENCHMARKS.md").unwrap();
    let readme = std::fs::read_to_string("README.md").unwrap();
    let (start, end) =
        (bench.find("<!-- alerts -->").unwrap(), bench.find("<!-- /alerts -->").unwrap());
    let section = &bench[start..end];
    struct Row {
        shape: String,
        hosts: String,
        found: u32,
        attacks: u32,
        max: u32,
        mean: f64,
        decoys: u32,
        night14: f64,
        slowest: f64,
    }
    let rows: Vec<Row> = section
        .lines()
        .filter(|l| {
            l.starts_with("| teams-") || l.starts_with("| sites-") || l.starts_with("| othernet-")
        })
        .map(|l| {
            let c: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            let name: Vec<&str> = c[0].split('-').collect();
            let (f, a) = c[1].split_once('/').unwrap();
            Row {
                shape: name[0].to_string(),
                hosts: name[2].to_string(),
                found: f.parse().unwrap(),
                attacks: a.parse().unwrap(),
                max: c[2].parse().unwrap(),
                mean: c[3].parse().unwrap(),
                decoys: c[7].parse().unwrap(),
                night14: c[9].parse().unwrap(),
                slowest: c[10].parse().unwrap(),
            }
        })
        .collect();
    assert!(rows.len() >= 20, "{} rows in BENCHMARKS.md's alerts table", rows.len());
    let sum = |pick: &dyn Fn(&Row) -> bool| {
        let r: Vec<&Row> = rows.iter().filter(|r| pick(r)).collect();
        (r.iter().map(|r| r.found).sum::<u32>(), r.iter().map(|r| r.attacks).sum::<u32>())
    };
    let synth = |r: &Row| r.shape != "othernet";
    let (f3, a3) = sum(&|r| synth(r) && r.hosts == "3000");
    let (f20, a20) = sum(&|r| synth(r) && r.hosts == "20000");
    let (fo, ao) = sum(&|r| !synth(r));
    let (fs, as_) = sum(&synth);
    let range = |pick: &dyn Fn(&Row) -> bool| {
        let m: Vec<f64> = rows.iter().filter(|r| pick(r)).map(|r| r.mean).collect();
        let lo = m.iter().copied().fold(f64::MAX, f64::min);
        let hi = m.iter().copied().fold(f64::MIN, f64::max);
        format!("{lo:.2}–{hi:.2}")
    };
    let max =
        |pick: &dyn Fn(&Row) -> bool| rows.iter().filter(|r| pick(r)).map(|r| r.max).max().unwrap();
    let n14 = rows.iter().map(|r| r.night14).fold(f64::MAX, f64::min);
    let slowest = rows.iter().map(|r| r.slowest).fold(f64::MIN, f64::max);
    assert_eq!(rows.iter().map(|r| r.decoys).sum::<u32>(), 0, "README says: no decoy in an alert");
    let missed = (as_ - fs) + (ao - fo);
    for quoted in [
        format!("at 3 000 hosts {f3}/{a3} attacks"),
        format!("at 20 000 hosts {f20}/{a20}"),
        format!("alert incidents a night max {}, mean {}", max(&synth), range(&synth)),
        format!("{fo}/{ao}, max {}, mean {}", max(&|r| !synth(r)), range(&|r| !synth(r))),
        format!("{n14:.2}–{slowest:.2} s a night"),
        format!("{missed} of {}", as_ + ao),
        format!("on `synth` {} of {as_}", as_ - fs),
        format!("on `othernet` {} of {ao}", ao - fo),
    ] {
        assert!(readme.contains(&quoted), "README does not quote BENCHMARKS.md: {quoted:?}");
    }
    // The 100 M-flow night, as the section's sentence gives it.
    let flat = section.split_whitespace().collect::<Vec<_>>().join(" ");
    let after = |marker: &str, until: &str| -> String {
        let rest =
            &flat[flat.find(marker).unwrap_or_else(|| panic!("{marker:?}")) + marker.len()..];
        rest[..rest.find(until).unwrap()].to_string()
    };
    let pivots = after("`pivots` alone ", " s,");
    let cold = after("`report` without history ", " s,");
    let warm = after("the 28 days before it) ", " s,");
    let ratio = after("(median of 3): ", "×");
    for quoted in [
        format!("28 days of history {warm} s"),
        format!("`pivots` alone {pivots} s: {ratio}×"),
        format!("report without history {cold} s"),
        format!("costs {ratio}× `pivots` alone"),
    ] {
        assert!(readme.contains(&quoted), "README does not quote BENCHMARKS.md: {quoted:?}");
    }
}

/// Text without anything inside parentheses (nested too): the README puts earlier runs' figures
/// in brackets.
fn outside_parentheses(text: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => out.push(' '),
        }
    }
    out
}

/// Decimal numbers (`6.07`, `0.80`) in `text`.
fn decimals(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || (c == '.' && !cur.is_empty() && !cur.contains('.')) {
            cur.push(c);
        } else {
            let t = cur.trim_end_matches('.');
            if t.contains('.') {
                out.push(t.to_string());
            }
            cur.clear();
        }
    }
    out
}

/// Every current-run figure of the README's benchmark table (decimals outside brackets, which
/// hold earlier runs) is in BENCHMARKS.md: as written there, or as its flows/s or packets/s in
/// millions, or its MiB in GiB. A rerun of `scripts/bench.sh` that changes a figure makes this
/// fail until the README quotes the new one.
#[test]
fn readme_benchmark_table_quotes_benchmarks_md() {
    let bench = std::fs::read_to_string("BENCHMARKS.md").unwrap();
    let readme = std::fs::read_to_string("README.md").unwrap();
    let mut known: std::collections::HashSet<String> = decimals(&bench).into_iter().collect();
    for word in bench.split(|c: char| !c.is_ascii_digit()) {
        if let Ok(n) = word.parse::<u64>() {
            known.insert(format!("{:.2}", n as f64 / 1e6)); // flows/s → M flows/s
            known.insert(format!("{:.1}", n as f64 / 1024.0)); // MiB → GiB
        }
    }
    let start = readme.find("| what | last run").expect("the README's benchmark table");
    let table: Vec<&str> =
        readme[start..].lines().skip(2).take_while(|l| l.starts_with('|')).collect();
    assert!(table.len() >= 8, "{} rows", table.len());
    let mut missing = Vec::new();
    for row in table {
        let quoted = row.trim_matches('|').split('|').nth(1).unwrap_or_default();
        for d in decimals(&outside_parentheses(quoted)) {
            if !known.contains(&d) {
                missing.push(format!("{d} in: {}", &row[..row.len().min(60)]));
            }
        }
    }
    assert!(missing.is_empty(), "README figures not in BENCHMARKS.md:\n{}", missing.join("\n"));
}
