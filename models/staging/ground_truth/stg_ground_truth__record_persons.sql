with

source as (
    {{ cdp.select_source_columns('ground_truth', 'record_persons') }}
),

final as (
    select
        {{ dbt.concat([cdp.clean_text('source_table'), "':'", cdp.clean_text('record_id')]) }} as record_key,
        {{ cdp.clean_text('source_table') }} as source_table,
        {{ cdp.clean_text('record_id') }} as record_id,
        {{ cdp.clean_text('person_id') }} as person_id,
        coalesce({{ dbt.position("'T'", cdp.clean_text('person_id')) }} = 1, false) as is_test_account
    from source
)

select * from final
