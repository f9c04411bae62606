; Inno Setup script: the Windows installer of CEHRS Cards (per-user, no admin rights needed).
; packaging/build.py runs it after PyInstaller with
;   ISCC /DAppVersion=<version> /DAppDir=<dist\cehrs-cards> /DOutputDir=<dist> cehrs-cards.iss

#ifndef AppVersion
  #error Pass /DAppVersion=<version> (packaging/build.py does)
#endif
#ifndef AppDir
  #error Pass /DAppDir=<the PyInstaller folder> (packaging/build.py does)
#endif
#ifndef OutputDir
  #define OutputDir "."
#endif

[Setup]
AppId={{7C1E2B7A-5F4D-4C55-9B0E-3A2C8E6D1F42}
AppName=CEHRS Cards
AppVersion={#AppVersion}
AppPublisher=CEHRS Cards contributors
DefaultDirName={autopf}\CEHRS Cards
DefaultGroupName=CEHRS Cards
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputDir={#OutputDir}
OutputBaseFilename=cehrs-cards-{#AppVersion}-windows-setup
SetupIconFile=..\..\resources\icons\cehrs-cards.ico
UninstallDisplayIcon={app}\CEHRS Cards.exe
LicenseFile=..\..\LICENSE
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#AppDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\CEHRS Cards"; Filename: "{app}\CEHRS Cards.exe"
Name: "{autodesktop}\CEHRS Cards"; Filename: "{app}\CEHRS Cards.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\CEHRS Cards.exe"; Description: "{cm:LaunchProgram,CEHRS Cards}"; Flags: nowait postinstall skipifsilent
