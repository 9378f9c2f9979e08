//! What a one-off payment (PIX, boleto) sends to the provider: the payer, with a CPF or CNPJ
//! whose check digits are verified and, for boleto, the postal address the bank requires.

use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::{PaymentInstructions, PaymentMethod};

/// A Brazilian tax id: CPF (11 digits, people) or CNPJ (14 digits, companies).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaxId {
    /// A person's CPF, digits only.
    Cpf(String),
    /// A company's CNPJ, digits only.
    Cnpj(String),
}

/// The tax id is not a valid CPF or CNPJ.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a valid CPF (11 digits) or CNPJ (14 digits): wrong length or check digits")]
pub struct InvalidTaxId;

/// The check digit of `digits` under `weights` (mod 11, as both CPF and CNPJ compute it).
fn check_digit(digits: &[u32], weights: &[u32]) -> u32 {
    let sum: u32 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
    match sum % 11 {
        0 | 1 => 0,
        r => 11 - r,
    }
}

impl TaxId {
    /// Parses a CPF or CNPJ, with or without its punctuation (`.`, `-`, `/`), checking its digits.
    pub fn parse(raw: &str) -> Result<Self, InvalidTaxId> {
        if raw.chars().any(|c| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '/' | ' '))) {
            return Err(InvalidTaxId);
        }
        let digits: Vec<u32> = raw.chars().filter_map(|c| c.to_digit(10)).collect();
        if digits.iter().all(|d| *d == digits[0]) {
            return Err(InvalidTaxId);
        }
        let text: String = digits.iter().map(|d| char::from_digit(*d, 10).unwrap_or('0')).collect();
        let (weights, kind): (Vec<u32>, fn(String) -> TaxId) = match digits.len() {
            11 => ((2..=11).rev().collect(), TaxId::Cpf),
            14 => ([6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2].to_vec(), TaxId::Cnpj),
            _ => return Err(InvalidTaxId),
        };
        let n = digits.len();
        let first = check_digit(&digits[..n - 2], &weights[1..]);
        let second = check_digit(&digits[..n - 1], &weights);
        if digits[n - 2] != first || digits[n - 1] != second {
            return Err(InvalidTaxId);
        }
        Ok(kind(text))
    }

    /// `CPF` or `CNPJ`.
    pub fn kind(&self) -> &'static str {
        match self {
            TaxId::Cpf(_) => "CPF",
            TaxId::Cnpj(_) => "CNPJ",
        }
    }

    /// The digits.
    pub fn number(&self) -> &str {
        match self {
            TaxId::Cpf(n) | TaxId::Cnpj(n) => n,
        }
    }
}

/// A payer's postal address (required by banks for boleto).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    /// CEP, 8 digits.
    pub zip_code: String,
    /// Street.
    pub street_name: String,
    /// Number.
    pub street_number: String,
    /// Bairro.
    pub neighborhood: String,
    /// City.
    pub city: String,
    /// State (UF), two letters.
    pub federal_unit: String,
}

/// Who pays a one-off payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payer {
    /// E-mail (required by the provider).
    pub email: String,
    /// First name (required for boleto).
    pub first_name: Option<String>,
    /// Last name (required for boleto).
    pub last_name: Option<String>,
    /// CPF or CNPJ (required for boleto).
    pub identification: Option<TaxId>,
    /// Postal address (required for boleto).
    pub address: Option<Address>,
}

/// A one-off payment to create at the provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OneOffPaymentRequest {
    /// PIX or boleto.
    pub method: PaymentMethod,
    /// Amount in BRL.
    pub amount: Decimal,
    /// Shown to the payer.
    pub description: String,
    /// Our reference for it (the charge's).
    pub external_reference: String,
    /// Last moment it can be paid.
    pub expires_at: OffsetDateTime,
    /// Who pays.
    pub payer: Payer,
    /// The same key never creates two payments.
    pub idempotency_key: String,
}

/// A created one-off payment: how to pay it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreatedPayment {
    /// The provider's payment id.
    pub id: String,
    /// PIX codes or boleto slip.
    pub instructions: PaymentInstructions,
    /// When it stops being payable, as the provider reports it.
    pub expires_at: Option<OffsetDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tax_ids_are_checked_by_their_digits() {
        // Cross-checked with an independent Python implementation of the Receita Federal mod-11 rule.
        assert_eq!(TaxId::parse("191.191.191-00"), Ok(TaxId::Cpf("19119119100".into())));
        assert_eq!(TaxId::parse("529.982.247-25").map(|t| t.kind()), Ok("CPF"));
        assert_eq!(TaxId::parse("11.222.333/0001-81"), Ok(TaxId::Cnpj("11222333000181".into())));
        for bad in ["19119119101", "52998224724", "11222333000182", "111.111.111-11", "1234", "abc", "1911911910a"] {
            assert_eq!(TaxId::parse(bad), Err(InvalidTaxId), "{bad}");
        }
    }
}
