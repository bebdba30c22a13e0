{#-
  Identity resolution at a glance, for BI and data quality: one row for all records ('all') and one per source
  table, read from the resolved graph (int_identity_customer_ids: one row per source record with its customer).
  Records and customers, records per customer (mean, median, max), the merge rate (share of customers made of
  more than one record), the share of records whose customer also has records from another source, and the
  links of the identity graph (fct_identity_links). Nothing is recomputed: it describes the graph as built.
-#}

with

customer_ids as (
    select * from {{ ref('int_identity_customer_ids') }}
),

identity_links as (
    select * from {{ ref('fct_identity_links') }}
),

as_of as (
    select * from {{ ref('int_customer360_as_of') }}
),

customer_shapes as (
    select
        customer_id,
        count(*) as record_count,
        count(distinct source_table) as source_table_count
    from customer_ids
    group by customer_id
),

{# Each record under its own source and under 'all', with the shape of its customer. #}
scoped_records as (
    select
        customer_ids.source_table,
        customer_ids.customer_id,
        customer_shapes.record_count as customer_record_count,
        customer_shapes.source_table_count as customer_source_table_count
    from customer_ids
    inner join customer_shapes
        on customer_ids.customer_id = customer_shapes.customer_id
    union all
    select
        'all' as source_table,
        customer_ids.customer_id,
        customer_shapes.record_count as customer_record_count,
        customer_shapes.source_table_count as customer_source_table_count
    from customer_ids
    inner join customer_shapes
        on customer_ids.customer_id = customer_shapes.customer_id
),

{# Per scope and customer: how many of the scope's records the customer holds. #}
scoped_customers as (
    select
        source_table,
        customer_id,
        count(*) as scoped_record_count,
        max(customer_record_count) as customer_record_count
    from scoped_records
    group by source_table, customer_id
),

record_totals as (
    select
        source_table,
        count(*) as record_count,
        sum(case when customer_source_table_count > 1 then 1 else 0 end) as cross_source_record_count
    from scoped_records
    group by source_table
),

customer_totals as (
    select
        source_table,
        count(*) as customer_count,
        sum(case when customer_record_count > 1 then 1 else 0 end) as merged_customer_count,
        percentile_cont(0.5) within group (order by scoped_record_count) as median_records_per_customer,
        max(scoped_record_count) as max_records_per_customer
    from scoped_customers
    group by source_table
),

link_totals as (
    select
        source_table,
        count(*) as link_count
    from identity_links
    group by source_table
    union all
    select
        'all' as source_table,
        count(*) as link_count
    from identity_links
),

final as (
    select
        cast(record_totals.source_table as {{ dbt.type_string() }}) as source_table,
        cast(record_totals.record_count as {{ dbt.type_bigint() }}) as record_count,
        cast(customer_totals.customer_count as {{ dbt.type_bigint() }}) as customer_count,
        cast(record_totals.record_count as {{ cdp.type_double() }}) / customer_totals.customer_count
            as avg_records_per_customer,
        cast(customer_totals.median_records_per_customer as {{ cdp.type_double() }})
            as median_records_per_customer,
        cast(customer_totals.max_records_per_customer as {{ dbt.type_bigint() }}) as max_records_per_customer,
        cast(customer_totals.merged_customer_count as {{ dbt.type_bigint() }}) as merged_customer_count,
        cast(customer_totals.merged_customer_count as {{ cdp.type_double() }}) / customer_totals.customer_count
            as merge_rate,
        cast(record_totals.cross_source_record_count as {{ dbt.type_bigint() }}) as cross_source_record_count,
        cast(record_totals.cross_source_record_count as {{ cdp.type_double() }}) / record_totals.record_count
            as cross_source_record_share,
        cast(coalesce(link_totals.link_count, 0) as {{ dbt.type_bigint() }}) as link_count,
        cast(as_of.as_of_date as date) as as_of_date
    from record_totals
    inner join customer_totals
        on record_totals.source_table = customer_totals.source_table
    left join link_totals
        on record_totals.source_table = link_totals.source_table
    cross join as_of
)

select * from final
