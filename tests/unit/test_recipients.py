from assess.domain.links import hash_token, new_pseudonym, new_token
from assess.domain.recipients import parse_recipients


def test_pasted_lines_in_common_shapes_are_read() -> None:
    text = """
    Ada Lovelace <ada@example.org>
    Grace Hopper, grace@example.org
    linus@example.org
    barbara@example.org; Barbara Liskov
    Ken Thompson ken@example.org
    """
    recipients, bad = parse_recipients(text)
    assert bad == []
    assert [(r.name, r.email) for r in recipients] == [
        ("Ada Lovelace", "ada@example.org"),
        ("Grace Hopper", "grace@example.org"),
        ("", "linus@example.org"),
        ("Barbara Liskov", "barbara@example.org"),
        ("Ken Thompson", "ken@example.org"),
    ]


def test_lines_without_exactly_one_address_are_reported_with_their_number() -> None:
    recipients, bad = parse_recipients("Ada Lovelace\n\nx@example.org y@example.org\nok@example.org")
    assert [r.email for r in recipients] == ["ok@example.org"]
    assert [(b.line, b.reason) for b in bad] == [
        (1, "expected one email address on this line"),
        (3, "expected one email address on this line"),
    ]


def test_tokens_are_long_random_and_stored_only_as_hashes() -> None:
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100
    token = tokens.pop()
    assert len(token) >= 43  # 32 bytes in URL-safe base64
    assert hash_token(token) == hash_token(token)
    assert token not in hash_token(token)
    assert len(hash_token(token)) == 64


def test_pseudonyms_look_like_candidate_codes() -> None:
    code = new_pseudonym()
    assert len(code) == 4 and code == code.upper()
    int(code, 16)
