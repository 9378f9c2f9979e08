//! The payer of a PIX or boleto checkout: names, CPF or CNPJ (check digits verified) and the
//! postal address banks require for boleto. Every bad field is named (`payer.address.zip_code`).

use application::{FieldCode, FieldError};
use domain::subscriptions::{Address, Payer, TaxId};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::error::ApiError;

/// Brazil's 27 federal units.
const FEDERAL_UNITS: [&str; 27] = [
    "AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO", "MA", "MT", "MS", "MG", "PA", "PB", "PR", "PE", "PI", "RJ",
    "RN", "RS", "RO", "RR", "SC", "SP", "SE", "TO",
];

/// Who pays a PIX or boleto (the e-mail is the account's).
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayerBody {
    /// First name (boleto).
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S", example = "Ana")]
    pub first_name: Option<String>,
    /// Last name (boleto).
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S", example = "Silva")]
    pub last_name: Option<String>,
    /// CPF (11 digits) or CNPJ (14 digits), with or without punctuation (boleto).
    #[validate(length(max = 18))]
    #[schema(max_length = 18, pattern = r"^[0-9./ -]*$", example = "191.191.191-00")]
    pub identification: Option<String>,
    /// Postal address (boleto).
    #[validate(nested)]
    pub address: Option<AddressBody>,
}

/// A Brazilian postal address.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressBody {
    /// CEP, 8 digits (`01310-100` or `01310100`).
    #[validate(length(max = 9))]
    #[schema(max_length = 9, pattern = r"^[0-9]{5}-?[0-9]{3}$", example = "01310-100")]
    pub zip_code: String,
    /// Street.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200, pattern = r"\S", example = "Av. Paulista")]
    pub street_name: String,
    /// Number.
    #[validate(length(min = 1, max = 20))]
    #[schema(min_length = 1, max_length = 20, pattern = r"\S", example = "1000")]
    pub street_number: String,
    /// Bairro.
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S", example = "Bela Vista")]
    pub neighborhood: String,
    /// City.
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S", example = "São Paulo")]
    pub city: String,
    /// State (UF), two capital letters.
    #[validate(length(equal = 2))]
    #[schema(
        min_length = 2,
        max_length = 2,
        pattern = "^(AC|AL|AP|AM|BA|CE|DF|ES|GO|MA|MT|MS|MG|PA|PB|PR|PE|PI|RJ|RN|RS|RO|RR|SC|SP|SE|TO)$",
        example = "SP"
    )]
    pub federal_unit: String,
}

fn blank(field: &str, value: &str, errors: &mut Vec<FieldError>) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.push(FieldError::new(field, FieldCode::Required, "must not be blank"));
    }
    value.to_owned()
}

fn address(body: AddressBody, errors: &mut Vec<FieldError>) -> Address {
    // `01310-100` or `01310100`: the hyphen only after the fifth digit.
    let zip = match body.zip_code.split_once('-') {
        Some((head, tail)) if head.len() == 5 => format!("{head}{tail}"),
        Some(_) => String::new(),
        None => body.zip_code.clone(),
    };
    if zip.len() != 8 || !zip.bytes().all(|b| b.is_ascii_digit()) {
        errors.push(FieldError::new("payer.address.zip_code", FieldCode::Invalid, "a CEP has 8 digits"));
    }
    let uf = body.federal_unit;
    if !FEDERAL_UNITS.contains(&uf.as_str()) {
        errors.push(FieldError::new("payer.address.federal_unit", FieldCode::Invalid, "not a Brazilian state (UF)"));
    }
    Address {
        zip_code: zip,
        street_name: blank("payer.address.street_name", &body.street_name, errors),
        street_number: blank("payer.address.street_number", &body.street_number, errors),
        neighborhood: blank("payer.address.neighborhood", &body.neighborhood, errors),
        city: blank("payer.address.city", &body.city, errors),
        federal_unit: uf,
    }
}

/// The payer of a one-off payment, paying from the account's `email`.
pub(super) fn parse(body: Option<PayerBody>, email: String) -> Result<Payer, ApiError> {
    let Some(body) = body else {
        return Ok(Payer { email, first_name: None, last_name: None, identification: None, address: None });
    };
    let mut errors = Vec::new();
    let first_name = body.first_name.map(|n| blank("payer.first_name", &n, &mut errors));
    let last_name = body.last_name.map(|n| blank("payer.last_name", &n, &mut errors));
    let identification = body.identification.and_then(|raw| match TaxId::parse(&raw) {
        Ok(id) => Some(id),
        Err(err) => {
            errors.push(FieldError::new("payer.identification", FieldCode::Invalid, err.to_string()));
            None
        }
    });
    let address = body.address.map(|a| address(a, &mut errors));
    if errors.is_empty() {
        Ok(Payer { email, first_name, last_name, identification, address })
    } else {
        Err(ApiError::validation(errors))
    }
}

crate::opaque_debug!(PayerBody);
crate::opaque_debug!(AddressBody);
