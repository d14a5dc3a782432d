"""The most common PINs, refused by ``pin_policy`` whatever the account.

Sources, public analyses of leaked and surveyed PINs: the DataGenetics study of 3.4 million
4-digit PINs (2012), Bonneau, Preibusch and Anderson, "A birthday present every eleven wallets?"
(Financial Cryptography 2012), and Wang et al., "Understanding human-chosen PINs" (2017, 6-digit
lists). The list favours recall: keypad shapes (``2580``, ``1470``), dates (``1225``, ``0214``),
words (``5683`` = LOVE), repetitions and every year from 1940 to 2039 (a quarter of the top 200
4-digit PINs are 19xx/20xx years). Operators can add their own through ``PinPolicy``.
"""

from __future__ import annotations

from typing import Final

__all__ = ["COMMON_PINS"]

_FOUR_DIGIT: Final = """
1234 1111 0000 1212 7777 1004 2000 4444 2222 6969 9999 3333 5555 6666 1122 1313 8888 4321 2001
1010 2580 0852 0123 1230 1000 1231 2468 1357 5683 0911 0001 1001 0101 1100 2112 4200 0007 0069
0420 1221 2121 6789 9876 5678 3456 2345 7410 0147 1470 0741 3690 0963 1590 0258 8520 1478 3698
9632 7896 1236 1793 1379 9731 7913 3197 1597 7539 3579 9753 8642 1123 1112 2323 4545 5252 1024
2048 7337 8008 5150 1225 0704 1031 0214 1515 2525 2552 1331 1441 2211 4567 7654 6543 3210 0987
1324 1342 1369 9630 7890 1233 1235 1237 1211 1311 1411 3131 3232 1919 1818 1717 1616 1414 0202
0303 1020 2020 3030 0110 9000 8000 0008 0009 0010 0011 0012 0100 1101 7531 2684 4826 6248 8246
9514 3571
"""

_LONGER: Final = """
123456 654321 111111 000000 123123 666666 121212 112233 789456 159753 123321 696969 777777
888888 999999 555555 222222 333333 444444 101010 147258 258369 147852 123654 789789 159357
520520 131313 123789 456789 987654 012345 0123456 1234567 7654321 1111111 12345678 87654321
11111111 00000000 12341234 11223344 98765432 01234567 12121212 11112222 88888888
"""

_YEARS: Final = tuple(str(year) for year in range(1940, 2040))

COMMON_PINS: Final[frozenset[str]] = frozenset((*_FOUR_DIGIT.split(), *_LONGER.split(), *_YEARS))
"""Every PIN refused as too common: explicit lists plus the years 1940-2039."""
