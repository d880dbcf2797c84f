//! Plain text tables for the command line (`livedesk sessions`, `livedesk customers`):
//! columns padded to their widest cell, as terminals show wide characters.

use unicode_width::UnicodeWidthStr;

/// `head` and `rows` as aligned lines, two spaces between columns; a column whose `right`
/// is true (numbers) lines up on the right. Lines carry no trailing spaces.
pub fn aligned(head: &[&str], right: &[bool], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..head.len())
        .map(|i| rows.iter().map(|r| r[i].width()).chain([head[i].width()]).max().unwrap_or(0))
        .collect();
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut out = String::new();
        for (i, cell) in cells.enumerate() {
            let pad = " ".repeat(widths[i].saturating_sub(cell.width()));
            if i > 0 {
                out.push_str("  ");
            }
            if right[i] {
                out.push_str(&pad);
                out.push_str(cell);
            } else {
                out.push_str(cell);
                out.push_str(&pad);
            }
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        out
    };
    let mut out = line(&mut head.iter().copied());
    for row in rows {
        out.push_str(&line(&mut row.iter().map(String::as_str)));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_line_up_with_wide_characters_and_numbers_on_the_right() {
        let rows = vec![vec!["Ann 💅".to_owned(), "12".to_owned()], vec!["Bo".to_owned(), "3".to_owned()]];
        assert_eq!(
            super::aligned(&["name", "orders"], &[false, true], &rows),
            "name    orders\nAnn 💅      12\nBo           3\n"
        );
    }
}
