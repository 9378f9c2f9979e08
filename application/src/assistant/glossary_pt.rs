//! The bot documentation's settings and sections in Brazilian Portuguese, for answers in
//! Portuguese: one text per name the setting tables of `docs/bots.md` define and per section
//! title (a test checks that none is missing, so a new setting cannot go out in English only).
//! Written for Brazilian users: trading terms they use in English (take profit, stop loss,
//! trailing stop, circuit breaker) stay in English.

/// Each documented setting, status or funds field, and what it means.
const SETTINGS: &[(&str, &str)] = &[
    ("created", "nada roda: o bot está configurado e nunca foi iniciado"),
    ("running", "tudo roda: entradas, saídas e take profit"),
    ("paused", "só as saídas de proteção (stop loss rígido, trailing stop) e o cancelamento automático: um bot pausado nunca fica com uma posição desprotegida, mas não abre nada nem realiza lucro"),
    ("tripped", "como pausado, mas quem pausou foi o circuit breaker; só volta a operar com `POST /api/bots/{id}/circuit-breaker/reset`"),
    ("stopped", "nada roda; as ordens pendentes são canceladas e as posições ficam (venda-as com `emergency-sell`)"),
    ("allocated_balance", "o capital, na moeda de cotação (ex.: BRL), entregue ao bot (maior que 0)"),
    ("risk", "as regras de risco do bot: take profit, venda adaptativa, stop loss suave e rígido, trailing stop, checagem de sanidade e cancelamento automático"),
    ("circuit_breaker", "o disjuntor de perdas: `conservative` (3 perdas seguidas ou 5% no dia), `moderate` (5 ou 10%, o padrão), `aggressive` (8 ou 15%), `custom` com os seus limites, ou `off` (só SmartBots)"),
    ("mode", "quando o SmartBot compra: `continuous` (um ciclo a cada N segundos), `scheduled` (por uma expressão cron num fuso horário IANA) ou `manual` (só compra quando você mandar; as regras de risco continuam vendendo)"),
    ("purchase_amount", "quanto da moeda de cotação é gasto em cada compra (no máximo o `allocated_balance`)"),
    ("max_entry_price", "o bot nunca compra acima deste preço"),
    ("max_open_positions", "quantas posições o bot mantém abertas ao mesmo tempo"),
    ("order_type", "`market` (compra a mercado o `purchase_amount`) ou `limit` (ordem limitada no melhor preço de compra do livro; o cancelamento automático remove as que o preço deixou para trás)"),
    ("type", "numa compra ou venda manual, o tipo da ordem: `market` (a mercado) ou `limit` (limitada)"),
    ("quantity", "numa compra ou venda manual, a quantidade na moeda base, múltipla do passo (step) do mercado"),
    ("quote_amount", "numa compra manual a mercado, quanto gastar na moeda de cotação; recusado em vendas, que as corretoras dimensionam na moeda base"),
    ("price", "numa ordem manual limitada, o preço limite, múltiplo do tick do mercado"),
    ("position_id", "numa venda manual, a posição vendida: sem `quantity`, toda ela; obrigatório numa venda limitada"),
    ("timeframe", "o tempo gráfico dos candles analisados (`1m`, `15m`, `1h`, `4h`, `1d`, …, conforme a corretora oferece); a análise roda a cada candle fechado"),
    ("indicators", "os indicadores que votam no sinal, ex.: RSI, cruzamento de médias (sma_cross, ema_cross), Bollinger, volume, volatilidade; os avançados (VWAP, MFI, volume profile, ATR, OBV) exigem o plano MAX e um contexto na Binance"),
    ("order_amount", "quanto da moeda de cotação o candle bot gasta em cada COMPRA"),
    ("auto_execute", "se o bot age sobre os sinais (`false`: só os registra)"),
    ("min_confidence", "a menor confiança do sinal (LOW, MEDIUM, HIGH) sobre a qual o bot age"),
    ("sell_on_signal", "se um sinal de VENDA fecha a posição"),
    ("frequency", "o intervalo entre as compras do DCA: `1h`, `6h`, `24h`, `7d` ou `30d`"),
    ("take_profit_percent", "vende tudo quando o preço fica esta porcentagem acima do preço médio de entrada"),
    ("stop_loss_percent", "vende tudo quando o preço fica esta porcentagem abaixo do preço médio de entrada"),
    ("max_cycles", "quantas compras cada acumulação do DCA faz (sem valor: até o orçamento acabar)"),
    ("auto_restart", "se o DCA começa uma nova acumulação depois de vender (senão o bot para)"),
    ("base_price", "o piso de um canal fixo (o topo tem de ser maior); não pode ser usado com `window`"),
    ("top_price", "o topo de um canal fixo (maior que o piso); não pode ser usado com `window`"),
    ("window", "o canal lido dos candles em vez de fixo, ex.: `{\"timeframe\": \"4h\", \"lookback\": 20}`: o piso é a mínima e o topo a máxima dos últimos `lookback` candles fechados, recalculados a cada candle novo"),
    ("buy_threshold_percent", "compra quando o preço cruza para cima `piso × (1 + X%)` (e está abaixo do topo)"),
    ("sell_threshold_percent", "depois que o preço chegou ao topo, agenda a venda quando ele cai X% a partir do pico"),
    ("min_profit_percent", "nunca vende abaixo de `entrada × (1 + lucro mínimo) / (1 − taxa de venda)`: o canal não vende no prejuízo"),
    ("capital_percent", "a fatia do capital (ver `capital_base`) usada em cada operação"),
    ("capital_base", "sobre o que `capital_percent` é calculado: `allocation` (o `allocated_balance`) ou `account`, todo o saldo da conta na moeda de cotação, livre e bloqueado (\"20% da banca\")"),
    ("sell_fee_percent", "a taxa da corretora numa venda, contada no piso de venda (superestimá-la só sobe o piso)"),
    ("allocated", "o capital na moeda de cotação entregue ao bot"),
    ("available", "quanto o bot ainda pode gastar agora"),
    ("blocked", "quanto está preso nas ordens de compra abertas"),
    ("invested", "quanto custou o que o bot tem em carteira, taxas incluídas"),
    ("holdings", "a quantidade da moeda base em carteira, já descontadas as taxas"),
    ("holdings_locked", "a parte da carteira presa em ordens de venda abertas"),
    ("proceeds", "o que as vendas renderam na moeda de cotação, já descontadas as taxas"),
    ("realized_profit", "o lucro realizado, líquido de taxas; negativo quando houve prejuízo"),
    ("fees_quote", "as taxas pagas na moeda de cotação"),
    ("fees_base", "as taxas pagas na moeda base"),
    ("adaptive_sell", "venda adaptativa: o alvo do take profit multiplicado por (volatilidade / volatilidade de referência), limitado entre o alvo mínimo e o máximo"),
    ("stop_loss_soft_percent", "stop loss suave: X% abaixo da entrada, o bot para de comprar e avisa"),
    ("stop_loss_hard_percent", "stop loss rígido: X% abaixo da entrada, o bot vende"),
    ("trailing_stop", "trailing stop: arma quando o preço sobe X% acima da entrada e vende quando ele cai Y% a partir do pico desde então"),
    ("sanity_max_move_percent", "checagem de sanidade: um preço que se move mais de X% em relação ao anterior é ignorado (e contado)"),
    ("auto_cancel_distance_percent", "cancelamento automático: ordens pendentes a mais de X% do preço atual são canceladas"),
];

/// Each section of the documentation: its Portuguese title and first paragraph.
const SECTIONS: &[(&str, &str, &str)] = &[
    ("Life cycle", "Ciclo de vida", "Um bot está `created` (criado), `running` (rodando), `paused` (pausado), `tripped` (parado pelo circuit breaker) ou `stopped` (parado). Comandos: iniciar, pausar, retomar, parar e venda de emergência; cada mudança fica registrada com o motivo e a hora."),
    ("Common settings", "Configurações comuns", "Todo bot tem `allocated_balance` (o capital entregue a ele), `risk` (as regras de risco) e `circuit_breaker` (o disjuntor de perdas)."),
    ("Bounds", "Limites", "Todo valor em dinheiro, preço, quantidade, porcentagem ou contagem enviado tem limites; um valor fora deles é recusado com 422 `validation_failed`, nomeando o campo."),
    ("SmartBot", "SmartBot", "Compra um valor fixo por ciclo enquanto o orçamento durar; vende cada lote pelas suas regras de risco."),
    ("Candle bot", "Candle bot", "A cada novo candle fechado do seu tempo gráfico, os indicadores votam e os votos viram um sinal COMPRA, VENDA ou MANTER com uma confiança BAIXA, MÉDIA ou ALTA; cada análise fica registrada com os valores que a explicam."),
    ("DCA bot", "Bot DCA", "Compra `purchase_amount` a cada período, guarda cada compra como uma execução e vende toda a acumulação no take profit ou no stop loss, medidos sobre o preço médio ponderado."),
    ("Channel bot", "Bot de canal", "Entre um preço piso e um preço topo: compra o rompimento, vende quando o preço vira a partir do topo, nunca no prejuízo, e guarda os lucros à parte."),
    ("Positions and dust", "Posições e resíduo (dust)", "Cada compra forma uma posição com a quantidade líquida de taxas e o custo com taxas; o que uma venda não consegue vender (fora do passo do mercado) vira resíduo e entra na próxima venda, sem perda."),
    ("Funds accounting", "Contabilidade dos fundos", "Decimais exatos, líquidos de taxas, por bot: alocado, disponível, bloqueado, investido, carteira, vendas, lucro realizado e taxas."),
    ("Risk rules", "Regras de risco", "Todas opcionais, por bot: take profit, venda adaptativa, stop loss suave, stop loss rígido, trailing stop, checagem de sanidade, cancelamento automático; e a venda de emergência, um comando."),
    ("Circuit breaker", "Circuit breaker", "Dispara depois de N operações perdedoras seguidas, ou quando a perda realizada das últimas 24 horas (uma janela móvel) chega a X% do capital alocado. Presets: conservador 3 / 5%, moderado 5 / 10% (o padrão), agressivo 8 / 15%, ou personalizado. Uma operação com lucro zera a contagem. Um bot disparado não abre posições novas, mas as saídas de proteção continuam; ele só volta a operar com um reset explícito."),
    ("API", "API", "As rotas dos bots: criar, listar, ler, alterar e apagar; iniciar, pausar, retomar, parar, venda de emergência; compras e vendas manuais; o circuit breaker e seu reset; sinais, execuções e posições."),
    ("Plans", "Planos", "FREE: só SmartBots; PRO: todos os tipos; MAX: todos os tipos e os indicadores avançados (em contextos da Binance). Depois de um downgrade, os bots que o plano não permite mais são pausados, com o motivo; as saídas de proteção continuam."),
    ("Paused by botfleet", "Pausado pelo botfleet", "Além de você, o botfleet pausa um bot sozinho quando o plano deixa de permiti-lo, quando a avaliação do bot falha, quando a conta na corretora tem menos saldo do que os bots precisam (fundos retirados por fora) ou quando os livros do bot não batem com a conta; o motivo fica em `status_reason` e as saídas de proteção continuam."),
    ("Entries held for a market anomaly", "Entradas suspensas por anomalia de mercado", "Enquanto o mercado mostra uma anomalia (spread largo demais, volume fora do normal, livro cruzado, negociação suspensa), o bot não abre nada novo, mas todas as saídas continuam; a suspensão acaba sozinha quando o mercado volta ao normal."),
];

/// The Portuguese text of setting `name` (as documented).
pub(crate) fn setting(name: &str) -> Option<&'static str> {
    SETTINGS.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}

/// The Portuguese title and first paragraph of the section titled `title` (in English).
pub(crate) fn section(title: &str) -> Option<(&'static str, &'static str)> {
    SECTIONS.iter().find(|(t, _, _)| *t == title).map(|(_, pt, text)| (*pt, *text))
}

/// A documented default in Portuguese (code values stay as they are).
pub(crate) fn default(value: &str) -> String {
    match value {
        "required" => "obrigatório".to_owned(),
        "none" => "nenhum".to_owned(),
        "all off" => "todas desligadas".to_owned(),
        "required without `window`" => "obrigatório sem `window`".to_owned(),
        other => other.to_owned(),
    }
}

/// Portuguese names of documented topics and settings, as users write them.
pub(crate) const ALIASES: &[(&str, &str)] = &[
    ("disjuntor", "circuit_breaker"),
    ("stop móvel", "trailing_stop"),
    ("venda adaptativa", "adaptive_sell"),
    ("saldo alocado", "allocated_balance"),
    ("valor de compra", "purchase_amount"),
    ("tempo gráfico", "timeframe"),
    ("regras de risco", "risk rules"),
    ("ciclo de vida", "life cycle"),
];
