//! Binance request signing: `signature = hex(HMAC-SHA256(secret, query + body))`, where query and
//! body are the exact form-urlencoded strings sent (non-ASCII percent-encoded, no separator).

use domain::shared::secret::Secret;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Form-urlencodes parameters in order, exactly as they are sent and signed.
pub fn encode_params<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        out.append_pair(k.as_ref(), v.as_ref());
    }
    out.finish()
}

/// The hex HMAC-SHA256 signature of `query` followed by `body` (either may be empty).
pub fn sign(secret: &Secret, query: &str, body: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()).expect("HMAC takes any key length");
    mac.update(query.as_bytes());
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> Secret {
        Secret::new("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j")
    }

    #[test]
    fn official_query_vector() {
        let query = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
        assert_eq!(sign(&secret(), query, ""), "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
    }

    #[test]
    fn official_non_ascii_vector() {
        let query = encode_params(&[
            ("symbol", "１２３４５６"),
            ("side", "BUY"),
            ("type", "LIMIT"),
            ("timeInForce", "GTC"),
            ("quantity", "1"),
            ("price", "0.1"),
            ("recvWindow", "5000"),
            ("timestamp", "1499827319559"),
        ]);
        assert_eq!(sign(&secret(), &query, ""), "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3");
    }

    #[test]
    fn official_query_and_body_vector() {
        let query = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC";
        let body = "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
        assert_eq!(sign(&secret(), query, body), "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77");
    }

    #[test]
    fn encoding_percent_encodes_non_ascii() {
        let q = encode_params(&[("symbol", "１２３４５６"), ("side", "BUY")]);
        assert_eq!(q, "symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY");
    }
}
