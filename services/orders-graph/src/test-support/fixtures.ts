/** A delivery address as the read model stores it, for tests that round-trip an order. */
export const address = {
  id: 'a-1',
  streetType: 'AVENUE',
  streetName: 'Main',
  streetNumber: '12',
  buildingNumber: 'B',
  departmentNumber: '3',
  reference: 'blue door',
  latitude: -33.45,
  longitude: -70.66,
};
