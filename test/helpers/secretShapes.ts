/**
 * The shapes a secret comes in, shared by the unit table and the output-path tests (CLI error
 * line, --debug, action logs in json and text, summaries, Lambda logs). Each secret is unique,
 * so a grep for it in any output proves it leaked.
 */
export interface SecretShape {
  name: string;
  text: string;
  secret: string;
}

export const SECRET_SHAPES: SecretShape[] = [
  { name: 'a MongoDB replica-set URL', text: 'mongodb://user:Rs0Pw-aa1@h1:1,h2:2/db?replicaSet=rs0', secret: 'Rs0Pw-aa1' },
  { name: 'a mongodb+srv URL', text: 'mongodb+srv://app:SrvPw-bb2@cluster0.example.net/db', secret: 'SrvPw-bb2' },
  { name: 'a truncated MongoDB URL', text: 'mongodb://user:CutPw-cc3@', secret: 'CutPw-cc3' },
  { name: 'a MongoDB URL with a bad port', text: 'mongodb://user:PortPw-dd4@h1,h2:bad/db', secret: 'PortPw-dd4' },
  { name: 'a truncated mssql URL', text: 'mssql://sa:SaPw-ee5@', secret: 'SaPw-ee5' },
  { name: 'an mssql URL missing its colon', text: 'mssql//sa:NoColon-ff6@host/db', secret: 'NoColon-ff6' },
  { name: 'a password with an unencoded @', text: 'mongodb://u:At@Sign-gg7@h/db', secret: 'At@Sign-gg7' },
  { name: 'a URL-encoded password', text: 'postgres://u:Enc%2FPw-hh8@h/db', secret: 'Enc%2FPw-hh8' },
  { name: 'an ADO Password=', text: 'Server=h,1433;Database=d;User Id=sa;Password=AdoPw-ii9;Encrypt=true', secret: 'AdoPw-ii9' },
  { name: 'an ADO Pwd= in braces', text: 'Server=h;Pwd={Brace;Pw-jj10};User Id=u', secret: 'Brace;Pw-jj10' },
  { name: 'an ADO password quoted', text: 'Server=h;password="Quoted Pw-kk11";Database=d', secret: 'Quoted Pw-kk11' },
  { name: 'a pre-signed S3 URL', text: 'https://b.s3.amazonaws.com/k?X-Amz-Signature=SigVal-ll12&X-Amz-Date=1', secret: 'SigVal-ll12' },
  { name: 'an X-Amz-Credential', text: 'https://b.test/k?X-Amz-Credential=AKIAcredmm13%2F2026&v=1', secret: 'AKIAcredmm13' },
  { name: 'an X-Amz-Security-Token', text: 'https://b.test/k?X-Amz-Security-Token=StsTok-nn14', secret: 'StsTok-nn14' },
  { name: 'an Azure SAS sig', text: 'https://a.blob.core.windows.net/c/f?sv=2020&sig=SasSig-oo15', secret: 'SasSig-oo15' },
  { name: 'an access_token parameter', text: 'https://api.test/x?page=2&access_token=AccTok-pp16', secret: 'AccTok-pp16' },
  { name: 'an api_key parameter', text: 'https://api.test/x?api_key=ApiKey-qq17', secret: 'ApiKey-qq17' },
  { name: 'a key parameter', text: 'https://maps.test/x?key=MapKey-rr18', secret: 'MapKey-rr18' },
  { name: 'a token used as the user', text: 'https://ghp_UserTok-ss19@github.com/o/r.git', secret: 'ghp_UserTok-ss19' },
  { name: 'an Authorization header', text: 'request failed: Authorization: Bearer HdrBearer-tt20', secret: 'HdrBearer-tt20' },
  { name: 'a Cookie header', text: 'cookie: session=CookieVal-uu21', secret: 'CookieVal-uu21' },
  { name: 'an x-api-key header', text: 'x-api-key: XApiKey-vv22', secret: 'XApiKey-vv22' },
  { name: 'a JSON password field', text: '{"user":"u","password":"JsonPw-ww23"}', secret: 'JsonPw-ww23' },
  { name: 'an AWS secret in env form', text: 'AWS_SECRET_ACCESS_KEY=EnvSecret-xx24 node x', secret: 'EnvSecret-xx24' },
  { name: 'user:password@ with no scheme', text: 'connect to app:BarePw-yy25@db.internal failed', secret: 'BarePw-yy25' },
];
