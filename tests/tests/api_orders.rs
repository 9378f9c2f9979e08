//! Orders through the running server on both stores: manual market and limit orders on the paper
//! exchange, cancellation, filters and paging, a bot's orders with their creation context,
//! validation that names each field, ownership, and idempotent retries.

use botfleet_tests::app::Store;
use botfleet_tests::bots::{assert_books_balance, bot, bot_app, command, create_bot, dec, price, run, trader};
use botfleet_tests::orders::{balance, fields, ids, list, pair, place, place_with};
use domain::subscriptions::Plan;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{json, Value};

botfleet_tests::on_both_stores!(
    a_market_buy_fills_at_once_with_its_fills_fee_and_average_price,
    a_limit_sell_rests_until_cancelled_once,
    filters_and_paging,
    a_bots_orders_show_its_source_and_creation_context_and_cancel_releases_its_funds,
    validation_errors_name_the_field,
    other_users_orders_are_not_found_and_retries_are_idempotent,
);

async fn a_market_buy_fills_at_once_with_its_fills_fee_and_average_price(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Free).await;
    price(&app, &ana.access, dec!(300000)).await;

    let placed = place(&app, &ana, &ctx, json!({"side": "buy", "type": "market", "quantity": "0.001"})).await;

    let order = placed.ok(201).clone();
    assert_eq!((order["status"].as_str(), order["source"].as_str()), (Some("filled"), Some("manual")));
    assert_eq!((order["type"].as_str(), order["bot_id"].clone()), (Some("market"), Value::Null));
    assert_eq!(dec(&order["quantity"]), dec!(0.001));
    assert_eq!(dec(&order["filled_quantity"]), dec!(0.001));
    assert!(order["exchange_order_id"].is_string() && !order["adopted"].as_bool().unwrap());
    // The fills add up to the totals; the fee is 0.1% of the BTC received.
    let fills = order["fills"].as_array().unwrap();
    assert!(!fills.is_empty());
    let quantity: Decimal = fills.iter().map(|f| dec(&f["quantity"])).sum();
    let quote: Decimal = fills.iter().map(|f| dec(&f["quantity"]) * dec(&f["price"])).sum();
    let fee: Decimal = fills.iter().map(|f| dec(&f["fee"])).sum();
    assert_eq!(quantity, dec!(0.001));
    assert_eq!(dec(&order["filled_quote"]), quote);
    assert_eq!(dec(&order["average_fill_price"]), quote / quantity);
    assert!(fills.iter().all(|f| f["fee_asset"] == "BTC"));
    assert_eq!(dec(&order["fees"]["BTC"]), fee);
    assert_eq!(fee, dec!(0.000001));
    // The ask (300000 + 1 bp) plus 5 bp of slippage.
    let average = dec(&order["average_fill_price"]);
    assert!(average > dec!(300000) && average < dec!(300300), "average {average}");
    // The book it was checked against.
    let market = &order["creation"]["market"];
    assert_eq!(dec(&market["spread"]), dec(&market["best_ask"]) - dec(&market["best_bid"]));
    assert_eq!(order["creation"]["parameters"]["reference_price"], market["best_ask"]);

    let read = app.get(&format!("/api/orders/{}", order["id"].as_str().unwrap()), Some(&ana.access)).await;
    assert_eq!(read.ok(200), &order);
    let held = balance(&app, &ana, &ctx).await;
    assert_eq!(dec(&held["base"]["free"]), dec!(0.001) - fee);
    assert_eq!(dec(&held["quote"]["free"]), dec!(100000) - quote);
}

async fn a_limit_sell_rests_until_cancelled_once(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Free).await;
    price(&app, &ana.access, dec!(300000)).await;
    place(&app, &ana, &ctx, json!({"side": "buy", "type": "market", "quantity": "0.002"})).await.ok(201);

    let sell = json!({"side": "sell", "type": "limit", "quantity": "0.001", "price": "330000.00"});
    let resting = place(&app, &ana, &ctx, sell).await.ok(201).clone();
    let id = resting["id"].as_str().unwrap().to_owned();
    assert_eq!((resting["status"].as_str(), resting["type"].as_str()), (Some("new"), Some("limit")));
    assert_eq!(dec(&resting["price"]), dec!(330000));
    assert_eq!(dec(&balance(&app, &ana, &ctx).await["base"]["locked"]), dec!(0.001));
    assert_eq!(ids(&list(&app, &ana, "?status=new,partially_filled").await), [id.as_str()]);

    let cancelled = app.delete(&format!("/api/orders/{id}"), Some(&ana.access), None).await.ok(200).clone();
    assert_eq!(cancelled["status"], "canceled");
    assert_eq!(dec(&cancelled["filled_quantity"]), Decimal::ZERO);
    assert_eq!(dec(&balance(&app, &ana, &ctx).await["base"]["locked"]), Decimal::ZERO);
    let again = app.delete(&format!("/api/orders/{id}"), Some(&ana.access), None).await;
    assert!(again.problem(409, "order_final")["detail"].as_str().unwrap().contains("canceled"));
    assert_eq!(list(&app, &ana, "?status=new,partially_filled").await["total"], 0);
    assert_eq!(list(&app, &ana, "?status=canceled").await["total"], 1);
}

async fn filters_and_paging(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Free).await;
    price(&app, &ana.access, dec!(300000)).await;
    // Creation times are kept to the millisecond: start the range a second early.
    let before = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);
    let orders = [
        json!({"side": "buy", "type": "market", "quantity": "0.003"}),
        json!({"side": "buy", "type": "market", "quote_amount": "150"}),
        json!({"side": "buy", "type": "limit", "quantity": "0.001", "price": "250000.00"}),
        json!({"side": "sell", "type": "limit", "quantity": "0.001", "price": "350000.00"}),
        json!({"side": "sell", "type": "market", "quantity": "0.001"}),
    ];
    let mut placed = Vec::new();
    for order in orders {
        placed.push(place(&app, &ana, &ctx, order).await.ok(201)["id"].as_str().unwrap().to_owned());
    }

    let all = list(&app, &ana, "").await;
    assert_eq!(all["total"], 5);
    let mut newest_first = placed.clone();
    newest_first.reverse();
    let times: Vec<&str> = all["items"].as_array().unwrap().iter().map(|o| o["created_at"].as_str().unwrap()).collect();
    let stamps: Vec<time::OffsetDateTime> = times
        .iter()
        .map(|t| time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).unwrap())
        .collect();
    assert!(stamps.windows(2).all(|w| w[0] >= w[1]), "newest first: {times:?}");
    let (first, second) = (list(&app, &ana, "?limit=2").await, list(&app, &ana, "?limit=2&offset=2").await);
    assert_eq!(
        (first["total"].as_u64(), first["limit"].as_u64(), second["offset"].as_u64()),
        (Some(5), Some(2), Some(2))
    );
    let mut paged = ids(&first);
    paged.extend(ids(&second));
    paged.extend(ids(&list(&app, &ana, "?limit=2&offset=4").await));
    assert_eq!(paged, ids(&all));

    assert_eq!(ids(&list(&app, &ana, "?side=sell").await).len(), 2);
    assert_eq!(list(&app, &ana, "?status=filled").await["total"], 3);
    assert_eq!(list(&app, &ana, "?status=new&side=buy").await["items"][0]["id"], placed[2].as_str());
    assert_eq!(list(&app, &ana, &format!("?context_id={ctx}&source=manual")).await["total"], 5);
    assert_eq!(list(&app, &ana, "?source=dca").await["total"], 0);
    let from = before.format(&time::format_description::well_known::Rfc3339).unwrap();
    let later = (before + time::Duration::hours(1)).format(&time::format_description::well_known::Rfc3339).unwrap();
    let enc = |t: &str| t.replace('+', "%2B");
    assert_eq!(list(&app, &ana, &format!("?from={}&to={}", enc(&from), enc(&later))).await["total"], 5);
    assert_eq!(list(&app, &ana, &format!("?from={}", enc(&later))).await["total"], 0);
    assert_eq!(list(&app, &ana, &format!("?to={}", enc(&from))).await["total"], 0);

    let bad = app.get("/api/orders?status=new,open&side=long&from=yesterday", Some(&ana.access)).await;
    assert_eq!(fields(&bad), [pair("status", "invalid"), pair("side", "invalid"), pair("from", "invalid")]);
    for (query, parameter) in [
        ("limit=lots", "limit"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("offset=-1", "offset"),
        ("offset=100000001", "offset"),
        ("offset=9223372036854775808", "offset"),
    ] {
        for path in ["/api/orders", "/api/bots", "/api/contexts", "/api/credentials"] {
            let bad = app.get(&format!("{path}?{query}"), Some(&ana.access)).await;
            let problem = bad.problem(400, "invalid_query");
            assert_eq!(problem["errors"][0]["field"], parameter, "{path}?{query}");
        }
    }
    // A blank filter has none of the forms the spec gives it: refused, not read as absent.
    for parameter in ["context_id", "bot_id", "status", "side", "source", "from", "to"] {
        let blank = app.get(&format!("/api/orders?{parameter}=%20"), Some(&ana.access)).await;
        assert_eq!(blank.problem(400, "invalid_query")["errors"][0]["field"], parameter);
    }
    let deepest = list(&app, &ana, "?offset=100000000").await;
    assert_eq!((&deepest["offset"], &deepest["items"]), (&json!(100_000_000), &json!([])));
}

async fn a_bots_orders_show_its_source_and_creation_context_and_cancel_releases_its_funds(store: Store) {
    // The prices set hold still (no replay drift between a set and the fill it prices).
    let (app, repos) = bot_app(store, &[("BOTFLEET_PAPER_HOLD_SET_PRICES", "true")]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Pro).await;
    let config = json!({"purchase_amount": "100", "frequency": "1h", "allocated_balance": "1000",
        "take_profit_percent": "3"});
    let dca = create_bot(&app, &ana, &ctx, "dca", config).await["id"].as_str().unwrap().to_owned();
    price(&app, &ana.access, dec!(300000)).await;
    command(&app, &ana, &dca, "start").await;
    run(&app, "dca_execution").await;

    let page = list(&app, &ana, &format!("?bot_id={dca}")).await;
    assert_eq!(page["total"], 1);
    let order = &page["items"][0];
    assert_eq!((order["source"].as_str(), order["bot_id"].as_str()), (Some("dca"), Some(dca.as_str())));
    assert_eq!((order["side"].as_str(), order["status"].as_str()), (Some("buy"), Some("filled")));
    let market = &order["creation"]["market"];
    let (bid, ask) = (dec(&market["best_bid"]), dec(&market["best_ask"]));
    // The book straddles the price set (held still, so within the spread of it; the same bound as
    // the parameters' price below).
    assert!(bid < ask && ((bid + ask) / dec!(2) - dec!(300000)).abs() < dec!(300), "{market}");
    assert_eq!(dec(&market["spread"]), ask - bid);
    assert!(dec(&market["spread_percent"]) > Decimal::ZERO);
    let parameters = &order["creation"]["parameters"];
    assert!(parameters["reason"].as_str().unwrap().starts_with("dca purchase"), "{parameters}");
    assert_eq!(dec(&parameters["quantity"]), dec(&order["quantity"]));
    assert!((dec(&parameters["price"]) - dec!(300000)).abs() < dec!(300), "{parameters}");
    assert!(dec(&parameters["block"]) >= dec!(100), "the purchase amount is blocked: {parameters}");
    assert_eq!(list(&app, &ana, "?source=dca").await["total"], 1);
    assert_eq!(list(&app, &ana, "?source=manual").await["total"], 0);

    // A channel bot's scheduled sale rests as a limit order; cancelling it by hand frees what the
    // bot had locked in it.
    let config = json!({"base_price": "300000", "top_price": "330000", "buy_threshold_percent": "2",
        "sell_threshold_percent": "2", "min_profit_percent": "1", "capital_percent": "20", "allocated_balance": "2000"});
    let channel = create_bot(&app, &ana, &ctx, "channel", config).await["id"].as_str().unwrap().to_owned();
    price(&app, &ana.access, dec!(301000)).await;
    command(&app, &ana, &channel, "start").await;
    run(&app, "channel_bots").await;
    price(&app, &ana.access, dec!(307000)).await;
    run(&app, "channel_bots").await;
    let positions = app.get(&format!("/api/bots/{channel}/positions"), Some(&ana.access)).await.ok(200).clone();
    let position = positions["open"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/bots/{channel}/positions/{position}/schedule-sell");
    app.post(&path, Some(&ana.access), &json!({"min_profit_percent": "5"})).await.ok(200);
    run(&app, "channel_bots").await;
    let selling = bot(&app, &ana, &channel).await;
    assert_eq!(selling["pending_orders"], 1);
    assert!(dec(&selling["funds"]["holdings_locked"]) > Decimal::ZERO);
    let open = list(&app, &ana, &format!("?bot_id={channel}&status=new")).await;
    let sale = &open["items"][0];
    assert_eq!((sale["source"].as_str(), sale["side"].as_str()), (Some("channel"), Some("sell")));

    let cancelled = app.delete(&format!("/api/orders/{}", sale["id"].as_str().unwrap()), Some(&ana.access), None).await;
    assert_eq!(cancelled.ok(200)["status"], "canceled");
    let freed = bot(&app, &ana, &channel).await;
    assert_eq!(freed["pending_orders"], 0);
    assert_eq!(dec(&freed["funds"]["holdings_locked"]), Decimal::ZERO);
    assert_eq!(dec(&freed["funds"]["holdings"]), dec(&selling["funds"]["holdings"]));
    assert_books_balance(&freed);
}

async fn validation_errors_name_the_field(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Free).await;
    price(&app, &ana.access, dec!(300000)).await;
    let limit_buy =
        |quantity: &str, price: &str| json!({"side": "buy", "type": "limit", "quantity": quantity, "price": price});

    // Mercado Bitcoin BTC-BRL: tick 0.01, step 0.00000001, minimum 0.00001 BTC and 1 BRL.
    let small = place(&app, &ana, &ctx, limit_buy("0.00001", "50000.00")).await;
    assert_eq!(fields(&small), [pair("quantity", "below_min_notional")]);
    assert!(
        small.body["errors"][0]["message"].as_str().unwrap().ends_with("at that price is 0.00002"),
        "{}",
        small.text
    );
    let amount = place(&app, &ana, &ctx, json!({"side": "buy", "type": "market", "quote_amount": "0.5"})).await;
    assert_eq!(fields(&amount), [pair("quote_amount", "below_min_notional")]);
    let off_tick = place(&app, &ana, &ctx, limit_buy("0.001", "300000.005")).await;
    assert_eq!(fields(&off_tick), [pair("price", "off_tick")]);
    assert!(
        off_tick.body["errors"][0]["message"].as_str().unwrap().contains("300000 and 300000.01"),
        "{}",
        off_tick.text
    );
    let off_step = place(&app, &ana, &ctx, limit_buy("0.000100005", "300000.00")).await;
    assert_eq!(fields(&off_step), [pair("quantity", "off_step")]);
    let quote_on_limit =
        place(&app, &ana, &ctx, json!({"side": "buy", "type": "limit", "quote_amount": "100", "price": "300000.00"}))
            .await;
    assert_eq!(fields(&quote_on_limit), [pair("quote_amount", "not_allowed")]);
    let nothing = place(&app, &ana, &ctx, json!({"side": "hold", "type": "market"})).await;
    assert_eq!(fields(&nothing), [pair("side", "invalid"), pair("quantity", "required")]);

    // The paper account holds 100000 BRL and no BTC.
    let too_much = place(&app, &ana, &ctx, json!({"side": "buy", "type": "market", "quote_amount": "100000.01"})).await;
    assert_eq!(fields(&too_much), [pair("quote_amount", "insufficient_balance")]);
    let no_btc = place(&app, &ana, &ctx, json!({"side": "sell", "type": "market", "quantity": "0.001"})).await;
    assert_eq!(fields(&no_btc), [pair("quantity", "insufficient_balance")]);
    // What a running bot may still spend is not free for manual orders.
    let smart = json!({"mode": {"type": "manual"}, "purchase_amount": "100", "allocated_balance": "60000"});
    let id = create_bot(&app, &ana, &ctx, "smart", smart).await["id"].as_str().unwrap().to_owned();
    command(&app, &ana, &id, "start").await;
    let over = place(&app, &ana, &ctx, limit_buy("0.2", "250000.00")).await;
    assert_eq!(fields(&over), [pair("quantity", "insufficient_balance")]);
    let message = over.body["errors"][0]["message"].as_str().unwrap();
    assert_eq!(message, "the order needs 50000 BRL but only 40000 BRL is free after the 60000 BRL the context's running bots may still spend");

    assert_eq!(list(&app, &ana, "").await["total"], 0, "no refused order is stored");
    let unknown = place(&app, &ana, "01JD0000000000000000000000", limit_buy("0.001", "300000.00")).await;
    unknown.problem(404, "not_found");
}

async fn other_users_orders_are_not_found_and_retries_are_idempotent(store: Store) {
    let (app, repos) = bot_app(store, &[]).await;
    let (ana, ctx) = trader(&app, &repos, "ana@example.com", Plan::Free).await;
    let (bia, bia_ctx) = trader(&app, &repos, "bia@example.com", Plan::Free).await;
    price(&app, &ana.access, dec!(300000)).await;
    let buy = json!({"side": "buy", "type": "market", "quantity": "0.001"});
    let key = [("Idempotency-Key", "order-2025-01-01-a")];

    let first = place_with(&app, &ana, &ctx, buy.clone(), &key).await;
    let second = place_with(&app, &ana, &ctx, buy.clone(), &key).await;

    let order = first.ok(201).clone();
    assert_eq!(second.ok(200), &order);
    assert_eq!(second.headers.get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
    assert!(order["client_order_id"].as_str().unwrap().starts_with("bf-"));
    assert_eq!(list(&app, &ana, "").await["total"], 1);
    assert_eq!(dec(&balance(&app, &ana, &ctx).await["base"]["free"]), dec!(0.000999), "bought once");
    let other = json!({"side": "buy", "type": "market", "quantity": "0.002"});
    place_with(&app, &ana, &ctx, other, &key).await.problem(409, "idempotency_key_reused");
    let unkeyed = place(&app, &ana, &ctx, buy.clone()).await.ok(201).clone();
    assert_ne!(unkeyed["id"], order["id"]);

    // The same key is Bia's own: a new order of hers.
    let hers = place_with(&app, &bia, &bia_ctx, buy, &key).await.ok(201).clone();
    assert_ne!(hers["client_order_id"], order["client_order_id"]);
    let path = format!("/api/orders/{}", order["id"].as_str().unwrap());
    app.get(&path, Some(&bia.access)).await.problem(404, "not_found");
    app.delete(&path, Some(&bia.access), None).await.problem(404, "not_found");
    assert_eq!(ids(&list(&app, &bia, "").await), [hers["id"].as_str().unwrap()]);
    app.get("/api/orders/not-an-id", Some(&ana.access)).await.problem(400, "invalid_path");
    app.get("/api/orders", None).await.problem(401, "missing_token");
    place(&app, &bia, &ctx, json!({"side": "buy", "type": "market", "quantity": "0.001"}))
        .await
        .problem(404, "not_found");
}
