//! `--param name=value`: typed values bound to `$name` placeholders (never pasted into SQL).

use std::collections::HashMap;

use datafusion::common::ScalarValue;

use crate::error::{Error, Result};

/// Parse `name=value`; the value becomes Int64, Float64, Boolean or Utf8, in that order of
/// preference. Quote a number to force text: `--param port="'22'"` is the string `22`.
pub fn parse_param(text: &str) -> Result<(String, ScalarValue)> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| Error::config("--param", format!("{text:?} is not name=value")))?;
    let name = name.trim().trim_start_matches('$');
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(Error::config("--param", format!("{name:?} is not a valid parameter name")));
    }
    let v = value.trim();
    let scalar = if let Some(quoted) = v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        ScalarValue::Utf8(Some(quoted.to_string()))
    } else if let Ok(i) = v.parse::<i64>() {
        ScalarValue::Int64(Some(i))
    } else if let Ok(f) = v.parse::<f64>() {
        ScalarValue::Float64(Some(f))
    } else if let Ok(b) = v.parse::<bool>() {
        ScalarValue::Boolean(Some(b))
    } else {
        ScalarValue::Utf8(Some(v.to_string()))
    };
    Ok((name.to_string(), scalar))
}

/// Parse `NAME=VALUE` pairs into typed query parameters (integer, float, else text).
pub fn parse_params(texts: &[String]) -> Result<HashMap<String, ScalarValue>> {
    texts.iter().map(|t| parse_param(t)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values() {
        assert_eq!(parse_param("port=22").unwrap(), ("port".into(), ScalarValue::Int64(Some(22))));
        assert_eq!(
            parse_param("$host=10.0.0.5").unwrap().1,
            ScalarValue::Utf8(Some("10.0.0.5".into()))
        );
        assert_eq!(parse_param("x='22'").unwrap().1, ScalarValue::Utf8(Some("22".into())));
        assert_eq!(parse_param("f=0.5").unwrap().1, ScalarValue::Float64(Some(0.5)));
        assert_eq!(parse_param("b=true").unwrap().1, ScalarValue::Boolean(Some(true)));
        assert!(parse_param("novalue").is_err());
        assert!(parse_param("bad name=1").is_err());
    }
}
