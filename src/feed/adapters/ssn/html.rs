//! Social Stream Ninja's HTML (messages, escaped names) as plain text.

/// SSN's HTML message as plain text: tags removed, emote images replaced by their `alt`
/// text, entities decoded, runs of whitespace made one space. A `<` that opens no tag
/// ("<3") is text.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some((tag, after)) = tag_at(rest)
        {
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase();
            match name.as_str() {
                "img" => {
                    if let Some(alt) = attribute(tag, "alt") {
                        out.push_str(&decode_entities(alt));
                    }
                }
                "br" | "p" | "div" | "li" | "tr" | "td" => out.push(' '),
                _ => {}
            }
            rest = after;
            continue;
        }
        if c == '&'
            && let Some((decoded, after)) = entity_at(rest)
        {
            out.push(decoded);
            rest = after;
            continue;
        }
        out.push(c);
        rest = rest.get(c.len_utf8()..).unwrap_or_default();
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The tag at the start of `s` (which starts with `<`): its inside, and what follows it.
fn tag_at(s: &str) -> Option<(&str, &str)> {
    let body = s.strip_prefix('<')?;
    let first = body.chars().next()?;
    if !(first.is_ascii_alphabetic() || first == '/' || first == '!') {
        return None;
    }
    let mut quote: Option<char> = None;
    for (i, c) in body.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some((body.get(..i)?, body.get(i + 1..)?)),
            (None, '<') => return None,
            _ => {}
        }
    }
    None
}

/// The value of attribute `name` (lowercase) in a tag's inside, quoted or not.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    // ASCII lowercasing keeps every byte where it was, so positions found in `lower` are
    // positions in `tag`.
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower.get(from..)?.find(name) {
        let at = from + found;
        from = at + name.len();
        if !lower.get(..at)?.ends_with(char::is_whitespace) {
            continue;
        }
        let Some(value) = tag.get(from..)?.trim_start().strip_prefix('=') else { continue };
        let value = value.trim_start();
        return match value.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let inner = value.get(1..)?;
                inner.split(q).next()
            }
            _ => value.split(|c: char| c.is_whitespace() || c == '/').next(),
        };
    }
    None
}

/// `s` with its HTML entities decoded (`&amp;`, `&#39;`, `&#x1F600;`…); others left as written.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        let (text, from) = rest.split_at(at);
        out.push_str(text);
        match entity_at(from) {
            Some((c, after)) => {
                out.push(c);
                rest = after;
            }
            None => {
                out.push('&');
                rest = from.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

/// The entity at the start of `s` (which starts with `&`), and what follows it.
fn entity_at(s: &str) -> Option<(char, &str)> {
    let body = s.strip_prefix('&')?;
    let end = body.char_indices().take(12).find(|(_, c)| *c == ';')?.0;
    let (name, after) = (body.get(..end)?, body.get(end + 1..)?);
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code).filter(|c| *c != '\0')?
        }
    };
    Some((c, after))
}

/// The `alt` (else `title`) of the first image in `html`: a gift's or an emote's name.
pub fn first_image_label(html: &str) -> Option<String> {
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        let from = rest.get(at..)?;
        match tag_at(from) {
            Some((tag, _)) if tag.get(..3).is_some_and(|n| n.eq_ignore_ascii_case("img")) => {
                let label = attribute(tag, "alt").or_else(|| attribute(tag, "title"))?;
                let label = decode_entities(label).trim().to_owned();
                return (!label.is_empty()).then_some(label);
            }
            Some((_, after)) => rest = after,
            None => rest = from.get(1..)?,
        }
    }
    None
}
