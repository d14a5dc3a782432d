"""The built-in Spanish word lists (the policy's default ``languages.es``)."""

from __future__ import annotations

__all__ = ["SPANISH"]

SPANISH: dict[str, dict[str, list[str]]] = {
    "phrases": {
        "call_detail": [
            "registro de llamadas",
            "historial de llamadas",
            "detalle de llamadas",
            "quién me llamó",
            "quien me llamo",
            "qué número me llamó",
            "que numero me llamo",
            "llamadas entrantes",
            "llamadas salientes",
            "a quién llamó",
            "a quien llamo",
        ],
        "usage_billing": [
            "cargo en mi factura",
            "cobro en mi factura",
            "por qué mi factura",
            "por que mi factura",
            "mi factura subió",
            "mi factura subio",
            "cuánto debo",
            "cuanto debo",
            "mi consumo de datos",
            "qué plan tengo",
            "que plan tengo",
            "cuántos datos he usado",
            "cuantos datos he usado",
        ],
        "account_identifiers": [
            "mi número de cuenta es",
            "mi numero de cuenta es",
            "mi pin es",
            "cuál es mi número de cuenta",
            "cual es mi numero de cuenta",
            "correo registrado en la cuenta",
        ],
        "credential_change": [
            "cambiar mi pin",
            "cambiar mi contraseña",
            "olvidé mi contraseña",
            "olvide mi contraseña",
            "olvidé mi pin",
            "olvide mi pin",
            "restablecer mi contraseña",
            "cambiar la pregunta de seguridad",
        ],
        "address_change": [
            "cambiar mi dirección",
            "cambiar mi direccion",
            "actualizar mi dirección",
            "actualizar mi direccion",
            "cambiar mi correo",
            "mi nueva dirección",
            "mi nueva direccion",
        ],
        "port_or_sim": [
            "portabilidad",
            "portar mi número",
            "portar mi numero",
            "cambio de sim",
            "nueva sim",
            "tarjeta sim nueva",
            "activar esim",
            "pin de transferencia",
        ],
    },
    "negative_words": {
        "credential_change": ["wifi", "router", "módem", "modem", "red inalámbrica"],
        "address_change": ["publicidad", "promociones", "boletín", "boletin"],
    },
}
