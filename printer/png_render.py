"""Render a TicketLayout to a PNG-ready Pillow image: the on-screen copy and the preview.

Pixels are printer dots (203 dpi), heights come from the layout's line model, so the
image is as long as the paper. Drawn with the product's typeface for the text's script
(printer/fonts.py), which has every accented letter (Pillow's bundled font showed boxes for
à è é ì ò ù); Arabic is shaped and laid out right to left by Pillow's Raqm layout (HarfBuzz
and FriBiDi), and a line the printer's code page cannot hold prints as this image
(printer/escpos_render.py).
"""

from __future__ import annotations

from contextlib import suppress
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from config.bidi import has_rtl, logical_runs
from config.languages import script_of
from printer.fonts import font_for_script
from printer.layout import CHAR_H, LINE_GAP, QR, Logo, Rule, Text, TicketLayout
from printer.lazy_imports import PILLOW, ready

ready(*PILLOW)  # python-escpos's import may have deferred them (printer/lazy_imports): their code runs now

MARGIN_DOTS = 16


@lru_cache(maxsize=64)
def _font(size: int, bold: bool, script: str = "Latn") -> ImageFont.FreeTypeFont:
    choice = font_for_script(script, bold=bold)
    font = ImageFont.truetype(choice.path, size, index=choice.index)
    if choice.bold_by_weight:
        with suppress(OSError, ValueError):  # FreeType without variation support: the regular weight
            font.set_variation_by_name("Bold")
    return font


def render_png(layout: TicketLayout) -> Image.Image:
    width = layout.width_dots + 2 * MARGIN_DOTS
    image = Image.new("L", (width, layout.height_dots() + MARGIN_DOTS), 255)
    draw = ImageDraw.Draw(image)
    y = MARGIN_DOTS // 2
    for block in layout.blocks:
        height = layout.block_height_dots(block)
        if isinstance(block, Text):
            _draw_text(image, block, y, layout.width_dots)
        elif isinstance(block, Rule):
            mid = y + height // 2
            draw.line((MARGIN_DOTS, mid, MARGIN_DOTS + layout.width_dots, mid), fill=0, width=2)
        elif isinstance(block, QR):
            _draw_qr(image, block, y, width)
        elif isinstance(block, Logo):
            with Image.open(block.path) as logo:
                logo = logo.convert("L")
                logo.thumbnail((layout.width_dots, height))
                image.paste(logo, ((width - logo.width) // 2, y))
        y += height
    # the cut line
    for x in range(0, width, 12):
        draw.line((x, image.height - 2, x + 6, image.height - 2), fill=128)
    return image


def _draw_text(image: Image.Image, block: Text, y: int, width_dots: int) -> None:
    if not block.text:
        return
    line = text_image(block, width_dots)
    align = mirrored(block.align) if has_rtl(block.text) else block.align
    if align == "left":
        x = MARGIN_DOTS
    elif align == "right":
        x = MARGIN_DOTS + width_dots - line.width
    else:
        x = MARGIN_DOTS + (width_dots - line.width) // 2
    size = CHAR_H * block.height
    slot = max(CHAR_H + LINE_GAP, size)
    image.paste(line, (x, y + (slot - line.height) // 2))


def mirrored(align: str) -> str:
    """Arabic reads from the right: a line set on the left in Italian is set on the right."""
    return {"left": "right", "right": "left"}.get(align, align)


def isolated(text: str) -> str:
    """Each left-to-right run (a phone number "0583 428370", a time range) kept in one piece
    inside Arabic, as on screen (config/bidi.py): Unicode isolates around it for Raqm's bidi."""
    return " ".join(run if rtl else f"\u2066{run}\u2069" for run, rtl in logical_runs(text))


def text_image(block: Text, width_dots: int) -> Image.Image:
    """One text line as the printer would draw it, black on white, at most `width_dots` wide."""
    size = CHAR_H * block.height
    font = _font(int(size * 0.9), block.bold, script_of(block.text))
    direction = "rtl" if has_rtl(block.text) else None
    text = isolated(block.text) if direction else block.text
    left, top, right, bottom = font.getbbox(text, direction=direction)
    text_w = max(1, right - left)
    text_h = max(1, size)
    line = Image.new("L", (text_w, text_h), 255)
    ImageDraw.Draw(line).text((-left, (size - (bottom - top)) // 2 - top + 1), text, font=font, fill=0,
                              direction=direction)
    stretch = block.width / block.height
    target_w = min(width_dots, max(1, int(text_w * stretch)))
    if target_w != text_w:
        line = line.resize((target_w, text_h), Image.LANCZOS)
    return line


def _draw_qr(image: Image.Image, block: QR, y: int, width: int) -> None:
    import qrcode

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=1, box_size=block.module_dots)
    qr.add_data(block.data)
    qr.make(fit=True)
    picture = qr.make_image(fill_color="black", back_color="white").get_image().convert("L")
    image.paste(picture, ((width - picture.width) // 2, y))
