//! A small builder for hand-written SQL with bound parameters.
//!
//! Lists need keyset conditions, `EXISTS` filters and window functions that read more plainly
//! as SQL than as query-builder calls. Every value reaches the database as a bound parameter;
//! only fixed fragments written in this crate are ever pasted into the text.

use sea_orm::{DbBackend, Statement, Value};

/// SQL text plus its parameters, written for one backend's placeholder style.
#[derive(Debug)]
pub struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
    has_where: bool,
}

impl Sql {
    /// Starts an empty statement for `backend`.
    pub fn new(backend: DbBackend) -> Self {
        Sql { backend, text: String::with_capacity(256), values: Vec::new(), has_where: false }
    }

    /// Appends fixed SQL text. Never pass user input here: bind it.
    pub fn push(&mut self, fragment: &str) -> &mut Self {
        self.text.push_str(fragment);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        match self.backend {
            DbBackend::Postgres => {
                self.text.push('$');
                self.text.push_str(&self.values.len().to_string());
            }
            _ => self.text.push('?'),
        }
        self
    }

    /// Starts the next condition: `WHERE` the first time, `AND` afterwards.
    pub fn and(&mut self) -> &mut Self {
        self.push(if self.has_where { " AND " } else { " WHERE " });
        self.has_where = true;
        self
    }

    /// Runs `build` for a subquery: its first condition starts with its own `WHERE`.
    pub fn subquery<R>(&mut self, build: impl FnOnce(&mut Self) -> R) -> R {
        let outer = std::mem::replace(&mut self.has_where, false);
        let result = build(self);
        self.has_where = outer;
        result
    }

    /// Appends `expr IN (…)`; an empty list matches nothing.
    pub fn in_list<V: Into<Value>>(
        &mut self,
        expr: &str,
        values: impl IntoIterator<Item = V>,
    ) -> &mut Self {
        let mut values = values.into_iter().peekable();
        if values.peek().is_none() {
            return self.push("1 = 0");
        }
        self.push(expr).push(" IN (");
        let mut first = true;
        for value in values {
            if !first {
                self.push(", ");
            }
            first = false;
            self.bind(value);
        }
        self.push(")")
    }

    /// The backend this statement is written for.
    pub fn backend(&self) -> DbBackend {
        self.backend
    }

    /// The finished statement.
    pub fn build(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_backend() {
        let mut pg = Sql::new(DbBackend::Postgres);
        pg.push("SELECT 1").and().in_list("id", [1, 2]).and().push("x = ").bind("a");
        assert_eq!(pg.build().sql, "SELECT 1 WHERE id IN ($1, $2) AND x = $3");
        let mut lite = Sql::new(DbBackend::Sqlite);
        lite.push("SELECT 1").and().in_list("id", Vec::<i32>::new());
        assert_eq!(lite.build().sql, "SELECT 1 WHERE 1 = 0");
    }
}
