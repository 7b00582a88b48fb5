//! A cURL command line (as browsers' "Copy as cURL" and the console's `curl` print it).

use super::{CaptureError, Captured, endpoint};

/// Splits a POSIX shell command line into words: single and double quotes, `$'…'`, backslash
/// escapes and line continuations.
fn words(text: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\n') => {}
                Some('\r') if chars.peek() == Some(&'\n') => {
                    chars.next();
                }
                Some(n) => {
                    word.push(n);
                    in_word = true;
                }
                None => {}
            },
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        n => word.push(n),
                    }
                }
            }
            '$' if chars.peek() == Some(&'\'') => {
                chars.next();
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        '\\' => match chars.next()? {
                            'n' => word.push('\n'),
                            't' => word.push('\t'),
                            other => word.push(other),
                        },
                        n => word.push(n),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => match chars.next()? {
                            n @ ('"' | '\\' | '$' | '`') => word.push(n),
                            '\n' => {}
                            n => {
                                word.push('\\');
                                word.push(n);
                            }
                        },
                        n => word.push(n),
                    }
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(word);
    }
    Some(out)
}

/// The request a cURL command line sends.
pub fn from_curl(place: &str, text: &str) -> Result<Captured, CaptureError> {
    let place = place.to_string();
    let words = words(text).ok_or_else(|| CaptureError::UnclosedQuote { place: place.clone() })?;
    if words.first().map(String::as_str) != Some("curl") {
        return Err(CaptureError::NotCurl { place });
    }
    let (mut url, mut body, mut method) = (None, None, None);
    let mut args = words.iter().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-d" | "--data" | "--data-raw" | "--data-binary" | "--data-ascii" => body = args.next().cloned(),
            "-X" | "--request" => method = args.next().cloned(),
            "--url" => url = args.next().cloned(),
            "-H" | "--header" | "-A" | "--user-agent" | "-u" | "--user" | "-b" | "--cookie" | "-o"
            | "--output" | "--proxy" | "-x" | "-m" | "--max-time" | "--connect-timeout" | "-w"
            | "--write-out" => {
                args.next();
            }
            a if a.starts_with("http://") || a.starts_with("https://") => url = Some(a.to_string()),
            _ => {}
        }
    }
    let url = url.ok_or_else(|| CaptureError::NoUrl { place: place.clone() })?;
    let body = body.ok_or_else(|| CaptureError::NoBody { place: place.clone() })?;
    let found = endpoint(&url);
    Ok(Captured {
        place,
        method: method.unwrap_or_else(|| "POST".into()),
        api: found.as_ref().map(|f| f.0),
        pixel: found.map(|f| f.1),
        url: Some(url),
        body,
    })
}
