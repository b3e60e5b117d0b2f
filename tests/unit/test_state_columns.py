import pytest

from assess.models import CopyReason, DeliveryStatus, StrEnumText


def test_a_state_kept_as_text_is_read_back_as_its_enum_member() -> None:
    column = StrEnumText(DeliveryStatus, 16)
    assert column.process_result_value("delivered", None) is DeliveryStatus.DELIVERED
    assert column.process_bind_param(DeliveryStatus.FAILED, None) == "failed"
    assert column.process_bind_param("pending", None) == "pending"


def test_a_value_that_is_not_a_member_is_refused_naming_the_enum() -> None:
    with pytest.raises(ValueError, match="'lost' is not a CopyReason"):
        StrEnumText(CopyReason, 16).process_bind_param("lost", None)
