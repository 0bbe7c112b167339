from amicable.cli import app

app(prog_name="amicable")
