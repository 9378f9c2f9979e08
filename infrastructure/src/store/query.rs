//! The query every document store understands: conditions on fields, a sort, skip and limit.
//!
//! Semantics are MongoDB's: a missing field equals `null`; `Gt`/`Gte`/`Lt`/`Lte` only match values
//! of the same kind as the operand (numbers numerically, strings byte-wise); sort puts `null` and
//! missing values first in ascending order. Operands should be scalars (null, bool, number, string).

use domain::PageRequest;
use serde_json::Value;

/// A comparison of a field with a value.
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    /// Equal (a missing field equals `null`).
    Eq(Value),
    /// Not equal (a missing field is not equal to any non-null value).
    Ne(Value),
    /// Equal to one of the values.
    In(Vec<Value>),
    /// Equal to none of the values (a missing field is equal to none but `null`).
    Nin(Vec<Value>),
    /// Greater than.
    Gt(Value),
    /// Greater than or equal.
    Gte(Value),
    /// Less than.
    Lt(Value),
    /// Less than or equal.
    Lte(Value),
}

/// One condition on a (dot-path) field, e.g. `consent.marketing`.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    /// The dot path of the field.
    pub field: String,
    /// What the field's value must satisfy.
    pub cond: Cond,
}

/// A sort direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// Smallest first.
    Asc,
    /// Largest first.
    Desc,
}

/// One sort key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortKey {
    /// The dot path of the field.
    pub field: String,
    /// The direction.
    pub order: Order,
}

/// Which documents to return, in which order. Build it with the chaining methods:
/// `Query::all().eq("user_id", id).desc("created_at").desc("_id").page(page)`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    /// Conditions that must all hold.
    pub filters: Vec<Filter>,
    /// Sort keys, most significant first; without any the order is unspecified.
    pub sort: Vec<SortKey>,
    /// Matching documents to skip after sorting.
    pub skip: u64,
    /// The most documents to return; `None` for all.
    pub limit: Option<u64>,
    /// The index (its declared name) the embedded store must serve the query from; see
    /// [`Query::hint`].
    pub hint: Option<&'static str>,
}

impl Query {
    /// Every document.
    pub fn all() -> Self {
        Self::default()
    }

    /// Adds a condition on `field`.
    pub fn filter(mut self, field: &str, cond: Cond) -> Self {
        self.filters.push(Filter { field: field.to_owned(), cond });
        self
    }

    /// `field == value`.
    pub fn eq(self, field: &str, value: impl Into<Value>) -> Self {
        self.filter(field, Cond::Eq(value.into()))
    }

    /// `field != value`.
    pub fn ne(self, field: &str, value: impl Into<Value>) -> Self {
        self.filter(field, Cond::Ne(value.into()))
    }

    /// `field` is one of `values`.
    pub fn is_in<V: Into<Value>>(self, field: &str, values: impl IntoIterator<Item = V>) -> Self {
        self.filter(field, Cond::In(values.into_iter().map(Into::into).collect()))
    }

    /// `field` is none of `values`.
    pub fn not_in<V: Into<Value>>(self, field: &str, values: impl IntoIterator<Item = V>) -> Self {
        self.filter(field, Cond::Nin(values.into_iter().map(Into::into).collect()))
    }

    /// `field > value`.
    pub fn gt(self, field: &str, value: impl Into<Value>) -> Self {
        self.filter(field, Cond::Gt(value.into()))
    }

    /// `field >= value`.
    pub fn gte(self, field: &str, value: impl Into<Value>) -> Self {
        self.filter(field, Cond::Gte(value.into()))
    }

    /// `field < value`.
    pub fn lt(self, field: &str, value: impl Into<Value>) -> Self {
        self.filter(field, Cond::Lt(value.into()))
    }

    /// `field <= value`.
    pub fn lte(self, field: &str, value: impl Into<Value>) -> Self {
        self.filter(field, Cond::Lte(value.into()))
    }

    /// Then sorts by `field`, smallest first.
    pub fn asc(mut self, field: &str) -> Self {
        self.sort.push(SortKey { field: field.to_owned(), order: Order::Asc });
        self
    }

    /// Then sorts by `field`, largest first.
    pub fn desc(mut self, field: &str) -> Self {
        self.sort.push(SortKey { field: field.to_owned(), order: Order::Desc });
        self
    }

    /// Skips the first `n` matches.
    pub fn skip(mut self, n: u64) -> Self {
        self.skip = n;
        self
    }

    /// Returns at most `n` matches.
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }

    /// Skips and limits to one page.
    pub fn page(self, page: PageRequest) -> Self {
        self.skip(page.offset()).limit(page.limit())
    }

    /// Serves the query from the collection's index `index` (its declared name) on the embedded
    /// store (`INDEXED BY`), for a query two indexes match equally well by their shape: SQLite
    /// keeps no statistics of how selective each is and may pick the one that reads far more
    /// (a user's records of every bot rather than one bot's). MongoDB races its candidate plans on
    /// the data itself and is not hinted. The filters and sort must be ones the index serves.
    pub fn hint(mut self, index: &'static str) -> Self {
        self.hint = Some(index);
        self
    }

    /// The same conditions and hint, without sort or page (what a count or a bulk write reads).
    pub fn filters_only(&self) -> Self {
        Self { filters: self.filters.clone(), hint: self.hint, ..Self::default() }
    }
}
