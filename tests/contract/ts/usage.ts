// The client check: code a frontend would write against the client generated from openapi.yaml
// (`generated/api.d.ts`, by openapi-typescript). It compiles under `tsc --strict` only while
// every enum the API sends is a union of its values (an exhaustive `switch` over a plain
// `string` does not narrow to `never`) and every list response carries its paging fields.

import type { components, operations } from "./generated/api";

type Schemas = components["schemas"];

/** Fails to compile when `value` can still be something: the switch above it missed a case. */
function exhaustive(value: never): never {
    throw new Error(`unhandled ${String(value)}`);
}

/** Fails to compile unless `A` and `B` are the same type. */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
    return undefined;
}

export function botBadge(bot: Schemas["BotResponse"]): string {
    switch (bot.status) {
        case "created":
        case "stopped":
            return "grey";
        case "running":
            return "green";
        case "paused":
            return "amber";
        case "tripped":
            return "red";
        default:
            return exhaustive(bot.status);
    }
}

export function botLabel(bot: Schemas["BotResponse"]): string {
    const kind = ((): string => {
        switch (bot.kind) {
            case "smart":
                return "SmartBot";
            case "candle":
                return "Candle";
            case "dca":
                return "DCA";
            case "channel":
                return "Channel";
            default:
                return exhaustive(bot.kind);
        }
    })();
    const mode = bot.mode === "paper" ? " (paper)" : bot.mode === "live" ? "" : exhaustive(bot.mode);
    return `${kind}${mode} on ${exchangeName(bot.exchange)}`;
}

export function exchangeName(exchange: Schemas["Exchange"]): string {
    switch (exchange) {
        case "binance":
            return "Binance";
        case "mercado_bitcoin":
            return "Mercado Bitcoin";
        default:
            return exhaustive(exchange);
    }
}

export function orderIsOpen(order: Schemas["OrderResponse"]): boolean {
    switch (order.status) {
        case "pending":
        case "new":
        case "partially_filled":
            return true;
        case "filled":
        case "canceled":
        case "rejected":
        case "expired":
            return false;
        default:
            return exhaustive(order.status);
    }
}

export function orderSummary(order: Schemas["OrderResponse"]): string {
    const side = order.side === "buy" ? "Buy" : order.side === "sell" ? "Sell" : exhaustive(order.side);
    const type = order.type === "market" ? "market" : order.type === "limit" ? "limit" : exhaustive(order.type);
    const by = order.source === "manual" ? "you" : order.source;
    return `${side} ${type} by ${by}`;
}

export function contextPaused(context: Schemas["ContextResponse"]): boolean {
    switch (context.status) {
        case "active":
            return false;
        case "paused":
            return true;
        default:
            return exhaustive(context.status);
    }
}

export function credentialUsable(credential: Schemas["CredentialResponse"]): boolean {
    switch (credential.status) {
        case "valid":
        case "unverified":
            return true;
        case "invalid":
            return false;
        default:
            return exhaustive(credential.status);
    }
}

export function planRank(user: Schemas["UserResponse"]): number {
    const ranks: Record<Schemas["Plan"], number> = { FREE: 0, PRO: 1, MAX: 2 };
    const admin = user.role === "admin" ? 10 : user.role === "user" ? 0 : exhaustive(user.role);
    return ranks[user.plan] + admin;
}

export function subscriptionNeedsAction(subscription: Schemas["SubscriptionResponse"]): boolean {
    switch (subscription.status) {
        case "active":
        case "trialing":
        case "canceled":
        case "paused":
            return false;
        case "past_due":
        case "unpaid":
        case "incomplete":
            return true;
        default:
            return exhaustive(subscription.status);
    }
}

export function consentOrigin(entry: Schemas["ConsentEntryResponse"]): string {
    switch (entry.source) {
        case "registration":
        case "update":
        case "profile":
        case "account_deleted":
            return entry.source.replace("_", " ");
        default:
            return exhaustive(entry.source);
    }
}

// Requests take the same unions: a typo in a value does not compile.
export const newOrder: Schemas["CreateOrderRequest"] = {
    context_id: "01JD0000000000000000000000",
    side: "buy",
    type: "market",
    quote_amount: "100",
};
export const newBot: Pick<Schemas["CreateBotRequest"], "kind" | "context_id" | "name"> = {
    kind: "dca",
    context_id: "01JD0000000000000000000000",
    name: "weekly",
};
export const checkout: Pick<Schemas["CheckoutBody"], "plan" | "provider"> = { plan: "PRO", provider: "stripe" };
type BotFilter = NonNullable<operations["list_bots"]["parameters"]["query"]>;
export const runningDcaBots: BotFilter = { kind: "dca", status: "running", limit: 20 };
assertType<Equals<NonNullable<BotFilter["status"]>, Schemas["BotStatus"]>>();

/** Every paged list of the API: items plus `total`, `offset` and `limit`. */
interface Paged<T> {
    items: T[];
    total: number;
    offset: number;
    limit: number;
}

/** The next page's offset, or `null` after the last page. */
export function nextOffset<T>(page: Paged<T>): number | null {
    const next = page.offset + page.limit;
    return next < page.total ? next : null;
}

// Each list response must be assignable to `Paged` of its own items.
export const pages: {
    [K in
        | "Page_BotResponse"
        | "HistoryPage_OrderResponse"
        | "Page_ContextResponse"
        | "Page_CredentialResponse"
        | "Page_ConversationResponse"
        | "Page_EndpointResponse"
        | "Page_DeliveryResponse"
        | "HistoryPage_RecordResponse"
        | "HistoryPage_ContextSignalResponse"
        | "Page_ConsentEntryResponse"
        | "Page_PositionResponse"
        | "HistoryPage_TradeResponse"
        | "Page_InvoiceResponse"
        | "Page_BackofficeUser"
        | "Page_ManagedOperator"
        | "Page_AuditEntryResponse"
        | "Page_CouponResponse"]: (list: Schemas[K]) => Paged<Schemas[K]["items"][number]>;
} = {
    Page_BotResponse: (list) => list,
    HistoryPage_OrderResponse: (list) => list,
    Page_ContextResponse: (list) => list,
    Page_CredentialResponse: (list) => list,
    Page_ConversationResponse: (list) => list,
    Page_EndpointResponse: (list) => list,
    Page_DeliveryResponse: (list) => list,
    HistoryPage_RecordResponse: (list) => list,
    HistoryPage_ContextSignalResponse: (list) => list,
    Page_ConsentEntryResponse: (list) => list,
    Page_PositionResponse: (list) => list,
    HistoryPage_TradeResponse: (list) => list,
    Page_InvoiceResponse: (list) => list,
    Page_BackofficeUser: (list) => list,
    Page_ManagedOperator: (list) => list,
    Page_AuditEntryResponse: (list) => list,
    Page_CouponResponse: (list) => list,
};

// A page's items are the named item schema, not a copy of it.
assertType<Equals<Schemas["Page_BotResponse"]["items"][number], Schemas["BotResponse"]>>();
assertType<Equals<Schemas["Page_InvoiceResponse"]["items"][number], Schemas["InvoiceResponse"]>>();

export function remainingBots(list: Schemas["Page_BotResponse"]): number {
    return list.total - (list.offset + list.items.length);
}
