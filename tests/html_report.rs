//! The HTML report (issue 12): its structure parsed as a browser would (scraper), values from the
//! network shown as text, and the sample report loaded in headless Chromium (DOM after scripts,
//! console, a screenshot that is not blank).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringArray};
use scraper::{Html, Selector};

use crate::support::{parquet_files, read_parquet, run, tempdir};

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn attr_f64(e: &scraper::ElementRef, name: &str) -> f64 {
    e.value().attr(name).unwrap_or_else(|| panic!("no {name}")).parse().unwrap()
}

#[test]
fn cards_are_the_alerts_and_bars_sit_at_their_hop_times() {
    let data = crate::alerts::store("html-alerts-store");
    let out = tempdir("html-alerts-out");
    let o = crate::alerts::report(&data, &out, &["--since", "2026-11-20", "--until", "2026-11-27"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let day = out.join("2026-11-27");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(day.join("chains.json")).unwrap()).unwrap();
    let chains = json["chains"].as_array().unwrap();
    let html = Html::parse_document(&std::fs::read_to_string(day.join("index.html")).unwrap());

    let incidents = json["incidents"].as_array().unwrap();
    let alert_ids: Vec<&str> = incidents
        .iter()
        .filter(|i| i["alert"] == true)
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(alert_ids.len(), 2);
    let cards: Vec<_> = html.select(&sel("section.card")).collect();
    let card_ids: Vec<&str> =
        cards.iter().map(|c| c.value().attr("data-incident").unwrap()).collect();
    assert_eq!(card_ids, alert_ids, "one card per alert incident, in rank order");

    for card in &cards {
        let incident = card.value().attr("data-incident").unwrap();
        let inc = incidents.iter().find(|i| i["id"] == incident).unwrap();
        let id = card.value().attr("data-chain").unwrap();
        assert_eq!(inc["chains"][0], id, "the card draws the incident's strongest chain");
        let chain = chains.iter().find(|c| c["id"] == id).unwrap();
        // The path: one box per host, in order.
        let hosts: Vec<String> =
            card.select(&sel("svg.path g.host text")).map(|t| t.text().collect()).collect();
        let expected: Vec<String> = chain["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap().to_string())
            .collect();
        assert_eq!(hosts, expected, "{id}");
        // The reasons, as listed.
        let reasons: Vec<String> =
            card.select(&sel("ul.reasons li")).map(|t| t.text().collect()).collect();
        assert_eq!(serde_json::json!(reasons), inc["reasons"], "{id}");
        // The timeline: x = x0 + (t − t0) × width / (t1 − t0) for every hop's start and end.
        let tl = card.select(&sel("svg.timeline")).next().unwrap();
        let (x0, w, t0, t1) = (
            attr_f64(&tl, "data-x0"),
            attr_f64(&tl, "data-width"),
            attr_f64(&tl, "data-t0"),
            attr_f64(&tl, "data-t1"),
        );
        let mut seen = BTreeSet::new();
        for bar in tl.select(&sel("g.bar")) {
            let (s, e) = (attr_f64(&bar, "data-start-ms"), attr_f64(&bar, "data-end-ms"));
            let rect = bar.select(&sel("rect")).next().unwrap();
            let x = x0 + (s - t0) * w / (t1 - t0);
            let width = ((e - s) * w / (t1 - t0)).max(2.0);
            assert!(
                (attr_f64(&rect, "x") - x).abs() <= 0.06,
                "{id}: bar at {} for {x}",
                attr_f64(&rect, "x")
            );
            assert!((attr_f64(&rect, "width") - width).abs() <= 0.06, "{id}: bar width");
            seen.insert((s as i64, e as i64));
        }
        let hops: BTreeSet<(i64, i64)> = chain["hops"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (h["start_ms"].as_i64().unwrap(), h["end_ms"].as_i64().unwrap()))
            .collect();
        assert_eq!(seen, hops, "{id}: one bar per hop");
    }
    // Every chain is in the table, alerts marked.
    let rows: Vec<_> = html.select(&sel("#chain-table tbody tr")).collect();
    assert_eq!(rows.len(), chains.len());
    assert_eq!(html.select(&sel("#chain-table tbody tr.alert")).count(), 2);
    // The overview draws every host of the alert chains once.
    let overview: BTreeSet<String> =
        html.select(&sel("svg.overview g.host text")).map(|t| t.text().collect()).collect();
    let alert_hosts: BTreeSet<String> = chains
        .iter()
        .filter(|c| c["alert"] == true)
        .flat_map(|c| {
            c["hosts"].as_array().unwrap().iter().map(|h| h.as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(overview, alert_hosts);
}

/// A flow store whose host names are markup (a crafted Parquet file can hold any text):
/// shown as text, never as markup.
#[test]
fn a_host_name_with_markup_is_shown_as_text() {
    let evil = "<script>alert(1)</script>";
    let data = crate::sql_fixture::store("html-xss-store");
    for f in parquet_files(&data) {
        let batches: Vec<RecordBatch> = read_parquet(&f)
            .into_iter()
            .map(|b| {
                let cols: Vec<ArrayRef> = b
                    .schema()
                    .fields()
                    .iter()
                    .zip(b.columns())
                    .map(|(field, col)| {
                        if field.name() == "src_addr" || field.name() == "dst_addr" {
                            let s = col.as_string::<i32>();
                            let v: StringArray = (0..s.len())
                                .map(|i| {
                                    Some(if s.value(i) == "10.0.0.2" { evil } else { s.value(i) })
                                })
                                .collect();
                            Arc::new(v) as ArrayRef
                        } else {
                            col.clone()
                        }
                    })
                    .collect();
                RecordBatch::try_new(b.schema(), cols).unwrap()
            })
            .collect();
        pivotflow::store::parquet_file::write_parquet(&f, &batches, Default::default()).unwrap();
    }
    let out = tempdir("html-xss-out");
    let page = out.join("index.html");
    let o = run(&[
        "pivots",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--html",
        page.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&page).unwrap();
    assert!(!text.contains(evil), "the markup went out unescaped");
    assert!(
        text.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;")
            || text.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    let html = Html::parse_document(&text);
    assert_eq!(html.select(&sel("script")).count(), 1, "only the report's own script");
    let hosts: Vec<String> =
        html.select(&sel("svg.path g.host text")).map(|t| t.text().collect()).collect();
    assert!(hosts.iter().any(|h| h == evil), "shown as text: {hosts:?}");
}

/// The shipped sample's report (`report` over sample-data) in headless Chromium.
fn sample_report() -> PathBuf {
    let dir = tempdir("html-sample");
    let data = dir.join("data");
    crate::support::capture_sample(&data);
    let out = dir.join("reports");
    let o = run(&[
        "report",
        "--data",
        data.to_str().unwrap(),
        "--day",
        "2026-11-27",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out.join("2026-11-27")
}

fn chromium(args: &[&str]) -> std::process::Output {
    Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
        ])
        .args(["--enable-logging=stderr", "--v=0"])
        .args(args)
        .output()
        .expect("chromium (Debian package `chromium`; .ci/run installs it)")
}

#[test]
fn the_sample_report_renders_in_chromium() {
    let day = sample_report();
    let url = format!("file://{}", day.join("index.html").display());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(day.join("chains.json")).unwrap()).unwrap();
    let ids: Vec<&str> =
        json["chains"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert!(!ids.is_empty());

    let o = chromium(&["--dump-dom", &url]);
    let dom = String::from_utf8_lossy(&o.stdout);
    let log = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success() && dom.contains("</html>"), "{log}");
    for id in &ids {
        assert!(dom.contains(&format!("data-chain=\"{id}\"")), "{id} missing from the DOM");
    }
    // The script ran: it shows the filter box.
    assert!(
        dom.contains("id=\"filter\"") && dom.contains("display: inline-block"),
        "script did not run"
    );
    for line in log.lines() {
        assert!(!(line.contains("CONSOLE") || line.contains("Uncaught")), "console: {line}");
    }
    // Every host label fits its box with the browser's real fonts.
    assert!(dom.contains("data-label-overflow=\"0\""), "a host label overflows its box");
    // No history yet: said once, in one sentence.
    let note = "No history yet: chains are ranked by length only, and none is an alert.";
    assert_eq!(dom.matches(note).count(), 1, "{dom}");
    assert_eq!(dom.matches("none is an alert").count(), 1, "the note only, not the header fact");
    assert!(dom.contains("0 of 28 days"), "the header fact names the history kept");

    let shot = day.join("shot.png");
    let o =
        chromium(&["--window-size=1000,1400", &format!("--screenshot={}", shot.display()), &url]);
    assert!(o.status.success() && shot.is_file(), "{}", String::from_utf8_lossy(&o.stderr));
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = info.color_type.samples();
    let lum: Vec<f64> = buf[..info.buffer_size()]
        .chunks(px)
        .map(|p| (f64::from(p[0]) + f64::from(p[1 % px]) + f64::from(p[2 % px])) / 3.0)
        .collect();
    let mean = lum.iter().sum::<f64>() / lum.len() as f64;
    let var = lum.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / lum.len() as f64;
    assert!(var > 100.0, "the screenshot is (nearly) blank: variance {var:.1}");
}
