"""OpenAPI post-processing: every operation documents the errors the API really answers."""

ERRORS = {
    "400": "Invalid input: a map of field names to messages (or `detail`).",
    "401": "Not signed in (session authentication).",
    "403": "Not signed in, or not allowed to do this.",
    "404": "No such object here (objects of other satkers are never found).",
    "405": "Method not allowed.",
    "409": "Conflicts with the current state (the time was just taken; the consultation is not in a state that allows this).",
    "429": "Too many requests for now.",
}


def add_error_responses(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = {
        "type": "object",
        "description": "An error: `detail` for general errors, or field names mapping to lists of messages.",
        "additionalProperties": True,
        "properties": {"detail": {"type": "string"}},
    }
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
    return result
