/**
 * Passwords of 12 characters or more that lead the breach lists. A long list belongs to a
 * breach-checking service; this one stops the obvious.
 */
export const commonPasswords = new Set([
  '123456789012', '1234567890123', '12345678901234', '123456789123', '111111111111', '000000000000', '123123123123',
  'qwertyuiopas', 'qwertyuiop123', 'qwerty123456', '1q2w3e4r5t6y', '1qaz2wsx3edc', 'zaq12wsxcde3', 'asdfghjkl123',
  'password1234', 'password12345', 'password123456', 'passwordpassword', 'p@ssw0rd1234', 'p@ssword1234',
  'iloveyou1234', 'letmein12345', 'welcome12345', 'welcome123456', 'changeme1234', 'changeme123!', 'administrator',
  'admin1234567', 'adminadmin12', 'football1234', 'baseball1234', 'superman1234', 'sunshine1234', 'princess1234',
  'trustno11234', 'dragon123456', 'monkey123456', 'abc123456789', 'abcdefghijkl', 'abcd12345678', 'aaaaaaaaaaaa',
  'mypassword12', 'mypassword123', 'secret123456', 'correcthorsebatterystaple', 'qwertyuiopasdfgh', 'passw0rd1234',
  'default12345', 'guest1234567', 'master123456', 'michael12345', 'jennifer1234', 'whatever1234', 'starwars1234',
]);
