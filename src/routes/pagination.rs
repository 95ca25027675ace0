//! `limit`/`skip` query values and the contract's `pagination` object.

use serde::Serialize;

use crate::error::ApiError;

#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    pub total: u64,
    pub limit: u64,
    pub skip: u64,
    pub has_more: bool,
}

impl Pagination {
    pub fn new(total: u64, page: Page) -> Self {
        Self {
            total,
            limit: page.limit,
            skip: page.skip,
            has_more: page.skip.saturating_add(page.limit) < total,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub limit: u64,
    pub skip: u64,
}

/// Largest `skip` accepted: beyond it a request is a mistake or an attack.
pub const MAX_SKIP: u64 = 1_000_000_000;

/// How many rows a list route gives when not told, and at most.
#[derive(Debug, Clone, Copy)]
pub struct PageSize {
    pub default: u64,
    pub max: u64,
}

impl Page {
    /// Checks `limit` (default `size.default`, 1..=`size.max`) and `skip` (default 0).
    pub fn parse(limit: Option<i64>, skip: Option<i64>, size: PageSize) -> Result<Self, ApiError> {
        let max_limit = size.max;
        let limit = match limit {
            None => size.default,
            Some(n) if n >= 1 && n.unsigned_abs() <= max_limit => n.unsigned_abs(),
            Some(_) => {
                return Err(ApiError::validation(format!(
                    "limit must be between 1 and {max_limit}"
                )));
            }
        };
        let skip = match skip {
            None => 0,
            Some(n) if n >= 0 && n.unsigned_abs() <= MAX_SKIP => n.unsigned_abs(),
            Some(_) => {
                return Err(ApiError::validation(format!(
                    "skip must be between 0 and {MAX_SKIP}"
                )));
            }
        };
        Ok(Self { limit, skip })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_and_bounds_are_enforced() {
        let size = PageSize {
            default: 50,
            max: 500,
        };
        let page = Page::parse(None, None, size).ok();
        assert_eq!(page.map(|p| (p.limit, p.skip)), Some((50, 0)));
        assert!(Page::parse(Some(0), None, size).is_err());
        assert!(Page::parse(Some(501), None, size).is_err());
        assert!(Page::parse(None, Some(-1), size).is_err());
    }

    #[test]
    fn has_more_is_true_only_when_rows_remain() {
        let page = Page {
            limit: 10,
            skip: 10,
        };
        assert!(Pagination::new(21, page).has_more);
        assert!(!Pagination::new(20, page).has_more);
    }
}
