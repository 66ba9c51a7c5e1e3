"""`maskthefer models`: the model zoo as a table, or one model's layer summary."""

from __future__ import annotations

import click

from ..errors import MaskTheFERError

COLUMNS = ("name", "params", "published", "input", "classes", "input note", "paper")


def _parse_shape(text: str | None) -> tuple[int, int, int] | None:
    if text is None:
        return None
    try:
        shape = tuple(int(part) for part in text.lower().replace("x", ",").split(","))
    except ValueError:
        shape = ()
    if len(shape) != 3 or min(shape) < 1:
        raise MaskTheFERError(f"--input-shape {text!r} is not H,W,C with three positive integers (e.g. 48,96,1)")
    return shape


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


@click.command("models")
@click.option("--name", "name", default=None, help="Show this model's details and layer summary instead of the table.")
@click.option("--input-shape", default=None, help="H,W,C to build at (default: each model's registered input).")
@click.option(
    "--count/--no-count",
    default=True,
    show_default=True,
    help="Build every model to count its parameters (a few seconds each for the largest).",
)
def models(name: str | None, input_shape: str | None, count: bool) -> None:
    """List the model zoo: parameters (measured at the default input with 7 classes, 2 for the mask task, and the
    published figure where the literature gives one), input shape, how other inputs are handled, paper."""
    from ..models import list_models, model_spec
    from ..models.catalog import build_default, catalog, describe_model, format_params

    shape = _parse_shape(input_shape)
    if name is not None:
        spec = model_spec(name)  # unknown names fail here with the list of known ones
        model = build_default(name, input_shape=shape)
        row = describe_model(name, count=False, input_shape=shape)
        click.echo(f"{name}: {spec.description}")
        click.echo(f"paper: {spec.paper or '-'}")
        click.echo(f"input: {'x'.join(map(str, row.input_shape))} ({spec.input_note or 'any size'})")
        click.echo(f"parameters: {model.count_params():,} (published: {format_params(spec.published_params)})")
        click.echo(f"feature layer: {model.feature_layer_name}; Grad-CAM layer: {model.last_conv_layer_name}")
        # Keras sizes the table to the terminal (80 columns when piped), which its own renderer then uses.
        model.summary(print_fn=lambda text, *args, **kwargs: click.echo(text))
        return

    entries = catalog(list_models(), count=count) if shape is None else [
        describe_model(model_name, count=count, input_shape=shape) for model_name in list_models()
    ]
    rows = [list(COLUMNS)]
    for entry in entries:
        published = format_params(entry.published_params)
        if entry.params_vs_published is not None:
            published += f" ({entry.params_vs_published:+.1%})"
        rows.append(
            [
                entry.name,
                format_params(entry.params),
                published,
                "x".join(map(str, entry.input_shape)),
                str(entry.num_classes),
                entry.input_note or "-",
                entry.paper or "-",
            ]
        )
    click.echo(_table(rows))
