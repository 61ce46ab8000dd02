"""GraphQL documents shared by the tests."""

PATIENT_FIELDS = """
  id patientId firstName lastName dateOfBirth sex conditions allergies primaryAddressId
  createdAt updatedAt version
"""

CREATE_PATIENT = (
    "mutation($input: PatientCreateInput!) { createPatient(input: $input) {"
    + PATIENT_FIELDS
    + "addresses { id city type patient { id } } } }"
)

UPDATE_PATIENT = (
    "mutation($id: ID!, $input: PatientUpdateInput!) { updatePatient(id: $id, input: $input) {"
    + PATIENT_FIELDS
    + "} }"
)

CREATE_ADDRESS = """
mutation($input: AddressCreateInput!) {
  createAddress(input: $input) { id patientId type street city postalCode country version }
}"""


def patient_input(**overrides: object) -> dict[str, object]:
    value: dict[str, object] = {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "dateOfBirth": "1815-12-10",
        "sex": "FEMALE",
        "conditions": ["asthma"],
    }
    value.update(overrides)
    return value


def address_input(**overrides: object) -> dict[str, object]:
    value: dict[str, object] = {
        "type": "HOME",
        "street": "12 St James's Square",
        "city": "London",
        "postalCode": "SW1Y 4JH",
        "country": "GB",
    }
    value.update(overrides)
    return value
