"""Render a TicketLayout to a PNG-ready Pillow image: the on-screen copy and the preview.

Pixels are printer dots (203 dpi), heights come from the layout's line model, so the
image is as long as the paper. Drawn with the product's typeface (printer/fonts.py), which
has every accented letter (Pillow's bundled font showed boxes for à è é ì ò ù).
"""

from __future__ import annotations

from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from printer.fonts import font_file
from printer.layout import CHAR_H, LINE_GAP, QR, Logo, Rule, Text, TicketLayout

MARGIN_DOTS = 16


@lru_cache(maxsize=32)
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_file(bold=bold), size)


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
    size = CHAR_H * block.height
    font = _font(int(size * 0.9), block.bold)
    left, top, right, bottom = font.getbbox(block.text)
    text_w = max(1, right - left)
    text_h = max(1, size)
    line = Image.new("L", (text_w, text_h), 255)
    ImageDraw.Draw(line).text((-left, (size - (bottom - top)) // 2 - top + 1), block.text, font=font, fill=0)
    stretch = block.width / block.height
    target_w = min(width_dots, max(1, int(text_w * stretch)))
    if target_w != text_w:
        line = line.resize((target_w, text_h), Image.LANCZOS)
    if block.align == "left":
        x = MARGIN_DOTS
    elif block.align == "right":
        x = MARGIN_DOTS + width_dots - target_w
    else:
        x = MARGIN_DOTS + (width_dots - target_w) // 2
    slot = max(CHAR_H + LINE_GAP, size)
    image.paste(line, (x, y + (slot - text_h) // 2))


def _draw_qr(image: Image.Image, block: QR, y: int, width: int) -> None:
    import qrcode

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=1, box_size=block.module_dots)
    qr.add_data(block.data)
    qr.make(fit=True)
    picture = qr.make_image(fill_color="black", back_color="white").get_image().convert("L")
    image.paste(picture, ((width - picture.width) // 2, y))
