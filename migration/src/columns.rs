//! A migration that adds one column to a table, and takes it away again.

use sea_orm_migration::prelude::*;

pub async fn add(manager: &SchemaManager<'_>, table: &str, column: ColumnDef) -> Result<(), DbErr> {
    let mut column = column;
    manager
        .alter_table(
            Table::alter()
                .table(Alias::new(table))
                .add_column(&mut column)
                .to_owned(),
        )
        .await
}

pub async fn drop(manager: &SchemaManager<'_>, table: &str, column: &str) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(Alias::new(table))
                .drop_column(Alias::new(column))
                .to_owned(),
        )
        .await
}
