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
        flat: f64,
        slowest: f64,
    }
    let rows: Vec<Row> = section
        .lines()
        .filter(|l| {
            ["| teams-", "| sites-", "| othernet-", "| campus-"].iter().any(|p| l.starts_with(p))
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
                flat: c[10].parse().unwrap(),
                slowest: c[12].parse().unwrap(),
            }
        })
        .collect();
    assert!(rows.len() >= 20, "{} rows in BENCHMARKS.md's alerts table", rows.len());
    let sum = |pick: &dyn Fn(&Row) -> bool| {
        let r: Vec<&Row> = rows.iter().filter(|r| pick(r)).collect();
        (r.iter().map(|r| r.found).sum::<u32>(), r.iter().map(|r| r.attacks).sum::<u32>())
    };
    // `synth`'s shapes, and the two independent generators.
    let synth = |r: &Row| r.shape == "teams" || r.shape == "sites";
    let othernet = |r: &Row| r.shape == "othernet";
    let campus = |r: &Row| r.shape == "campus";
    assert!(
        rows.iter().all(|r| synth(r) || othernet(r) || campus(r)),
        "a shape the test does not know"
    );
    let (f3, a3) = sum(&|r| synth(r) && r.hosts == "3000");
    let (f20, a20) = sum(&|r| synth(r) && r.hosts == "20000");
    let (fo, ao) = sum(&othernet);
    let (fc, ac) = sum(&campus);
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
    let flat = rows.iter().map(|r| r.flat).fold(f64::MIN, f64::max);
    assert_eq!(rows.iter().map(|r| r.decoys).sum::<u32>(), 0, "README says: no decoy in an alert");
    let missed = (as_ - fs) + (ao - fo) + (ac - fc);
    let mut quotes = vec![
        format!("at 3 000 hosts {f3}/{a3} attacks"),
        format!("at 20 000 hosts {f20}/{a20}"),
        format!("alert incidents a night max {}, mean {}", max(&synth), range(&synth)),
        format!("{fo}/{ao}, max {}, mean {}", max(&othernet), range(&othernet)),
        format!("{n14:.2}–{slowest:.2} s a night"),
        format!("night 14 at most {flat:.2}× night 1"),
        format!("{missed} of {}", as_ + ao + ac),
        format!("on `synth` {} of {as_}", as_ - fs),
        format!("on `othernet` {} of {ao}", ao - fo),
    ];
    if ac > 0 {
        quotes.push(format!("{fc}/{ac}, max {}, mean {}", max(&campus), range(&campus)));
        quotes.push(format!("on `campus` {} of {ac}", ac - fc));
    }
    for quoted in quotes {
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

/// The README's code map is true to the `use` lines: every `crate::…` (and `super::…`) path a
/// source file names belongs to its own row of the map or to a module its row's "may use"
/// cell names (a sibling or child folder by its short name, as `normalize` for
/// `capture/decode/`), and
/// every source file has a row.
#[test]
fn readme_code_map_matches_the_use_lines() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let map = &readme[readme.find("## Code map").unwrap()..readme.find("### How to add").unwrap()];
    // (module prefix of a path, its row's "may use" cell, the row's number): a row may name
    // several paths, which are then one row.
    let mut rows: Vec<(String, String, usize)> = Vec::new();
    // "Every module may use `error` and `progress`": modules everyone may use.
    let flat = map.split_whitespace().collect::<Vec<_>>().join(" ");
    let rule = &flat[flat.find("Every module may use").expect("the rule")..];
    let everyone: Vec<String> =
        rule[..rule.find('.').unwrap()].split('`').skip(1).step_by(2).map(str::to_string).collect();
    assert!(!everyone.is_empty(), "the code map says which modules every module may use");
    for (n, line) in map.lines().filter(|l| l.starts_with("| `")).enumerate() {
        let cells: Vec<&str> = line.split(" | ").collect();
        let may = cells.last().unwrap().trim_end_matches(" |").to_string();
        for path in cells[0].split('`').skip(1).step_by(2).filter(|p| p.starts_with("src/")) {
            rows.push((module_of(path), may.clone(), n));
        }
    }
    let owner = |m: &str| -> Option<&(String, String, usize)> {
        rows.iter()
            .filter(|(p, _, _)| m == p || m.starts_with(&format!("{p}::")))
            .max_by_key(|(p, _, _)| p.len())
    };
    let mut wrong = Vec::new();
    for file in rust_files(std::path::Path::new("src")) {
        let rel = file.to_str().unwrap().to_string();
        let me = module_of(&rel);
        let Some((row, may, row_no)) = owner(&me) else {
            wrong.push(format!("{rel}: no row in the code map"));
            continue;
        };
        if may.contains("everything") {
            continue;
        }
        let tokens: Vec<&str> = may
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .filter(|t| !t.is_empty())
            .collect();
        let parent = row.rsplit_once("::").map_or("", |(p, _)| p);
        let text = std::fs::read_to_string(&file).unwrap();
        // Tests may use anything: only the code before the first `#[cfg(test)]` counts.
        let text = &text[..text.find("#[cfg(test)]").unwrap_or(text.len())];
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for used in crate_paths(&code, &me) {
            let Some((_, _, target)) = owner(&used) else { continue };
            if target == row_no
                || everyone.iter().any(|e| used == *e || used.starts_with(&format!("{e}::")))
            {
                continue;
            }
            let named = tokens.iter().any(|t| {
                let t = t.trim_matches(':');
                // `capture::Pipeline` names an item: exactly the module `capture`, not its folders.
                if let Some((m, item)) = t.rsplit_once("::")
                    && item.starts_with(|c: char| c.is_ascii_uppercase())
                {
                    return used == m || used == format!("{parent}::{m}");
                }
                let (sib, child) = (format!("{parent}::{t}"), format!("{row}::{t}"));
                [t, sib.as_str(), child.as_str()]
                    .iter()
                    .any(|t| !t.is_empty() && (used == *t || used.starts_with(&format!("{t}::"))))
            });
            if !named {
                wrong.push(format!("{rel} uses {used}, not in its row's \"may use\" ({may})"));
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(wrong.is_empty(), "README code map is not true to the code:\n{}", wrong.join("\n"));
}

/// `src/a/b/c.rs` → `a::b::c`; `src/a/b/mod.rs` and `src/a/b/` → `a::b`; `src/lib.rs` → ``.
fn module_of(path: &str) -> String {
    let p = path.trim_start_matches("src/").trim_end_matches('/').trim_end_matches(".rs");
    let p = p.trim_end_matches("/mod").trim_end_matches("mod");
    match p {
        "lib" => String::new(),
        _ => p.trim_end_matches('/').replace('/', "::"),
    }
}

fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The module paths (lower-case segments only) that `code` names through `crate::`
/// (`pivotflow::` in the binary), `super::`, including `use crate::{a::b, c}` groups; `me` is
/// the file's module (its folder's for a `mod.rs`).
fn crate_paths(code: &str, me: &str) -> Vec<String> {
    let segs = |s: &str| -> String {
        s.split("::")
            .take_while(|x| {
                !x.is_empty()
                    && x.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            })
            .collect::<Vec<_>>()
            .join("::")
    };
    let mut out = Vec::new();
    let mut push = |base: &str, rest: &str| {
        let rest = rest.trim();
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level items of the group.
            let (mut depth, mut item) = (0, String::new());
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        let s = segs(item.trim());
                        out.push(if base.is_empty() {
                            s
                        } else if s.is_empty() {
                            base.to_string()
                        } else {
                            format!("{base}::{s}")
                        });
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            let s = segs(item.trim().trim_end_matches('{').trim_end_matches("::"));
            out.push(if base.is_empty() {
                s
            } else if s.is_empty() {
                base.to_string()
            } else {
                format!("{base}::{s}")
            });
        } else {
            let s = segs(rest);
            out.push(if base.is_empty() {
                s
            } else if s.is_empty() {
                base.to_string()
            } else {
                format!("{base}::{s}")
            });
        }
    };
    for prefix in ["crate::", "pivotflow::"] {
        for (i, _) in code.match_indices(prefix) {
            let before = code[..i].chars().last().unwrap_or(' ');
            if before.is_ascii_alphanumeric() || before == '_' || before == ':' {
                continue;
            }
            push("", &code[i + prefix.len()..]);
        }
    }
    // super::: relative to the file's module (a mod.rs is its folder's module).
    for (i, _) in code.match_indices("super::") {
        let before = code[..i].chars().last().unwrap_or(' ');
        if before.is_ascii_alphanumeric() || before == '_' || before == ':' {
            continue;
        }
        let mut rest = &code[i..];
        // `me` is already the folder's module for a mod.rs: each `super` is one level up.
        let mut base: Vec<&str> = me.split("::").filter(|s| !s.is_empty()).collect();
        while let Some(r) = rest.strip_prefix("super::") {
            base.pop();
            rest = r;
        }
        let b = base.join("::");
        push(&b, rest);
    }
    out.retain(|p| !p.is_empty());
    out
}
