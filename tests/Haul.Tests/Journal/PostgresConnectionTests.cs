using Haul.Journal.Postgres;
using Npgsql;

namespace Haul.Tests.Journal;

public sealed class PostgresConnectionTests
{
    [Fact]
    public void A_libpq_uri_becomes_a_connection_string_with_every_part()
    {
        var parsed = new NpgsqlConnectionStringBuilder(PostgresConnection.Parse(
            "postgres://hauler:p%40ss@db.example:6543/jobs?sslmode=verify-full&application_name=haul&connect_timeout=7"));

        Assert.Equal(("db.example", 6543, "hauler", "p@ss", "jobs"), (parsed.Host, parsed.Port, parsed.Username, parsed.Password, parsed.Database));
        Assert.Equal((SslMode.VerifyFull, "haul", 7), (parsed.SslMode, parsed.ApplicationName, parsed.Timeout));
    }

    [Theory]
    [InlineData("postgresql://u@[::1]/d", "::1", 5432)]
    [InlineData("postgres://u@127.0.0.1/d", "127.0.0.1", 5432)]
    [InlineData("Host=10.0.0.2;Port=5999;Username=u;Database=d", "10.0.0.2", 5999)]
    public void Hosts_and_ports_are_taken_from_either_form(string journal, string host, int port)
    {
        var parsed = new NpgsqlConnectionStringBuilder(PostgresConnection.Parse(journal));

        Assert.Equal((host, port), (parsed.Host, parsed.Port));
    }

    [Fact]
    public void A_psql_keyword_string_is_taken_with_quoted_values()
    {
        var parsed = new NpgsqlConnectionStringBuilder(PostgresConnection.Parse(
            @"host=127.0.0.1 port = 55873 user=haul password='it\'s x and \\' dbname=jobs sslmode=disable"));

        Assert.Equal(("127.0.0.1", 55873, "haul", "jobs", SslMode.Disable), (parsed.Host, parsed.Port, parsed.Username, parsed.Database, parsed.SslMode));
        Assert.Equal(@"it's x and \", parsed.Password);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("host=h password='secret", "quote that does not end")]
    [InlineData("host=h password=secret frobnicate=1", "'frobnicate'")]
    [InlineData("postgres://u:secret@h/d?frobnicate=1", "'frobnicate'")]
    [InlineData("postgres://u:secret@h/d?sslmode=sometimes", "sslmode 'sometimes'")]
    [InlineData("Nonsense=1;Password=secret", "neither a postgres:// URI nor a connection string")]
    [InlineData("Username=u;Database=d;Password=secret", "names no host")]
    [InlineData("postgres://u@h/d?password=secret&frobnicate=1", "'frobnicate'")]
    [InlineData("postgres://u:p@secret@h/d", "malformed")]
    [InlineData("postgres://u:secret@127.0.0.1:notaport/d", "malformed")]
    [InlineData("postgres://u:secret@127.0.0.1:99999/d", "malformed")]
    [InlineData("postgres://u:se#cret@h/d", "")]
    public void What_is_not_a_journal_is_said_in_one_line_without_its_password(string journal, string expected)
    {
        var problem = Assert.Throws<ArgumentException>(() => PostgresConnection.Parse(journal));

        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', problem.Message);
    }
}
