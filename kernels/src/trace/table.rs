//! Tables of typed cells: numbers stay numbers from the kernel to the screen, where one
//! formatter ([`super::fmt_num`], 4 significant digits) writes them and numeric columns are
//! right-aligned.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A table: a header and rows of [`Cell`]s (a row may be shorter than the header).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Rows,
}

/// A table's rows of typed cells (read it as a `Vec<Vec<Cell>>`). It can be collected from
/// rows of [`Cell`]s or, for tables still built from formatted text, of `String`s (each then a
/// [`Cell::Text`]; prefer [`Table::row`] with typed cells).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Rows(pub Vec<Vec<Cell>>);

impl std::ops::Deref for Rows {
    type Target = Vec<Vec<Cell>>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Rows {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl<'a> IntoIterator for &'a Rows {
    type Item = &'a Vec<Cell>;
    type IntoIter = std::slice::Iter<'a, Vec<Cell>>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl FromIterator<Vec<Cell>> for Rows {
    fn from_iter<I: IntoIterator<Item = Vec<Cell>>>(rows: I) -> Self {
        Self(rows.into_iter().collect())
    }
}

impl FromIterator<Vec<String>> for Rows {
    fn from_iter<I: IntoIterator<Item = Vec<String>>>(rows: I) -> Self {
        Self(
            rows.into_iter()
                .map(|r| r.into_iter().map(Cell::Text).collect())
                .collect(),
        )
    }
}

impl From<Vec<Vec<Cell>>> for Rows {
    fn from(rows: Vec<Vec<Cell>>) -> Self {
        Self(rows)
    }
}

impl From<Vec<Vec<String>>> for Rows {
    fn from(rows: Vec<Vec<String>>) -> Self {
        rows.into_iter().collect()
    }
}

/// One cell of a [`Table`]. Numbers are written only when shown, all with [`super::fmt_num`]
/// (4 significant digits), so tables, the CLI, the TUI and snapshots round in one place.
///
/// In JSON a cell is a number (`Num`, `Int`) or a string (`Text`); a non-finite `Num` is the
/// string `"NaN"`, `"inf"` or `"-inf"`.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A measured or computed number.
    Num(f64),
    /// A count, an index or a size.
    Int(i64),
    /// A label.
    Text(String),
}

impl Cell {
    /// Whether the cell holds a number (`Num` or `Int`): numeric columns are right-aligned.
    pub fn is_number(&self) -> bool {
        matches!(self, Self::Num(_) | Self::Int(_))
    }

    /// The cell's value as a number, if it is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Num(x) => Some(*x),
            Self::Int(i) => Some(*i as f64),
            Self::Text(_) => None,
        }
    }
}

impl Serialize for Cell {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Num(x) if x.is_finite() => s.serialize_f64(*x),
            Self::Num(x) => s.serialize_str(&super::fmt_num(*x)),
            Self::Int(i) => s.serialize_i64(*i),
            Self::Text(t) => s.serialize_str(t),
        }
    }
}

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        /// Integers first, so `3` reads back as `Int` and `3.0` as `Num`.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            Num(f64),
            Text(String),
        }
        Ok(match Raw::deserialize(d)? {
            Raw::Int(i) => Self::Int(i),
            Raw::Num(x) => Self::Num(x),
            Raw::Text(t) => Self::Text(t),
        })
    }
}

impl From<f64> for Cell {
    fn from(x: f64) -> Self {
        Self::Num(x)
    }
}

impl From<f32> for Cell {
    fn from(x: f32) -> Self {
        Self::Num(f64::from(x))
    }
}

impl From<usize> for Cell {
    fn from(i: usize) -> Self {
        Self::Int(i64::try_from(i).unwrap_or(i64::MAX))
    }
}

impl From<u8> for Cell {
    fn from(i: u8) -> Self {
        Self::Int(i64::from(i))
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Self::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Num(x) => f.write_str(&super::fmt_num(*x)),
            Self::Int(i) => write!(f, "{i}"),
            Self::Text(s) => f.write_str(s),
        }
    }
}

impl Table {
    /// An empty table named `name` with these column headers.
    pub fn new<S: Into<String>>(
        name: impl Into<String>,
        columns: impl IntoIterator<Item = S>,
    ) -> Self {
        Self {
            name: name.into(),
            columns: columns.into_iter().map(Into::into).collect(),
            rows: Rows::default(),
        }
    }

    /// Appends a row of cells (kept typed; formatted when shown).
    pub fn row(mut self, cells: impl IntoIterator<Item = Cell>) -> Self {
        self.rows.push(cells.into_iter().collect());
        self
    }

    /// Appends one row per item, built by `cells`.
    pub fn rows<T, R: IntoIterator<Item = Cell>>(
        self,
        items: impl IntoIterator<Item = T>,
        cells: impl Fn(T) -> R,
    ) -> Self {
        items.into_iter().fold(self, |t, item| t.row(cells(item)))
    }

    /// Rows of already formatted text, for tables built as `Table { rows, .. }`: every cell
    /// becomes [`Cell::Text`] (prefer [`Table::row`] with typed cells).
    pub fn text_rows(rows: impl IntoIterator<Item = Vec<String>>) -> Rows {
        rows.into_iter().collect()
    }

    /// Whether column `c` holds numbers: every row has a numeric cell there (an empty table
    /// has no numeric column).
    pub fn is_numeric_column(&self, c: usize) -> bool {
        !self.rows.is_empty()
            && self
                .rows
                .iter()
                .all(|r| r.get(c).is_some_and(Cell::is_number))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_stay_typed_and_read_back_from_json() {
        let t = Table::new("t", ["k", "x", "n"])
            .row([Cell::from("a"), 0.123456.into(), 3usize.into()])
            .row([Cell::from("b"), f64::NAN.into(), 4usize.into()]);
        let json = serde_json::to_string(&t).expect("json");
        assert!(json.contains(r#"["a",0.123456,3]"#), "{json}");
        assert!(json.contains(r#"["b","NaN",4]"#), "{json}");
        let back: Table = serde_json::from_str(&json).expect("parse");
        assert_eq!(back.rows[0], t.rows[0]);
        assert_eq!(back.rows[1][0], Cell::Text("b".into()));
        assert_eq!(back.rows[1][2], Cell::Int(4));
        let whole: Cell = serde_json::from_str("3.0").expect("parse");
        assert_eq!(whole, Cell::Num(3.0));
    }

    #[test]
    fn numeric_columns_are_those_with_a_number_in_every_row() {
        let t = Table::new("t", ["k", "x", "mixed"])
            .row([Cell::from("a"), 1.0.into(), 2.0.into()])
            .row([Cell::from("b"), 2.0.into(), "—".into()]);
        assert!(!t.is_numeric_column(0));
        assert!(t.is_numeric_column(1));
        assert!(!t.is_numeric_column(2));
        assert!(!t.is_numeric_column(3));
        assert_eq!(t.rows[0][1].to_string(), "1");
    }
}
