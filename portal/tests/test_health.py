from django.urls import reverse


def test_healthz_answers_ok_after_a_database_query(db, client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"
