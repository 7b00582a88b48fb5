//! A line diff (longest common subsequence), for comparing a send with the previous send of
//! the same sample.

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line<'a> {
    Same(&'a str),
    Removed(&'a str),
    Added(&'a str),
}

/// The diff of `old` and `new`, line by line. Texts over 4,000 lines are compared line by
/// line in place (the table would be too large).
pub fn lines<'a>(old: &'a str, new: &'a str) -> Vec<Line<'a>> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    if a.len() > 4000 || b.len() > 4000 {
        let mut out = Vec::new();
        for i in 0..a.len().max(b.len()) {
            match (a.get(i), b.get(i)) {
                (Some(x), Some(y)) if x == y => out.push(Line::Same(x)),
                (x, y) => {
                    out.extend(x.map(|x| Line::Removed(x)));
                    out.extend(y.map(|y| Line::Added(y)));
                }
            }
        }
        return out;
    }
    // lcs[i][j] = LCS length of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push(Line::Same(a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] > lcs[i + 1][j]) {
            out.push(Line::Added(b[j]));
            j += 1;
        } else {
            out.push(Line::Removed(a[i]));
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_changed_lines_only_as_changes() {
        let d = lines("a\nb\nc\n", "a\nB\nc\nd\n");
        assert_eq!(
            d,
            [Line::Same("a"), Line::Removed("b"), Line::Added("B"), Line::Same("c"), Line::Added("d")]
        );
        assert!(lines("x\ny", "x\ny").iter().all(|l| matches!(l, Line::Same(_))));
    }
}
